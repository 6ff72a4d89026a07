-- Net revenue and lines by year shipped and the market segment of the order's customer.
SELECT
    DATE_TRUNC('year', l.l_shipdate)::DATE AS year,
    c.c_mktsegment AS segment,
    SUM(l.l_extendedprice * (1 - l.l_discount)) AS revenue,
    COUNT(*) AS lines
FROM tpch.lineitem AS l
JOIN tpch.orders AS o ON o.o_orderkey = l.l_orderkey
JOIN tpch.customer AS c ON c.c_custkey = o.o_custkey
GROUP BY 1, 2
