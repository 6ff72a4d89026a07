-- Share of lines returned, by month shipped.
SELECT
    DATE_TRUNC('month', l_shipdate)::DATE AS month,
    COUNT(*) FILTER (WHERE l_returnflag = 'R')::DOUBLE / COUNT(*) AS return_rate,
    COUNT(*) FILTER (WHERE l_returnflag = 'R') AS returned_lines,
    COUNT(*) AS lines
FROM tpch.lineitem
GROUP BY 1
