-- Net revenue and quantity by year shipped and the part's brand.
SELECT
    DATE_TRUNC('year', l.l_shipdate)::DATE AS year,
    p.p_brand AS brand,
    SUM(l.l_extendedprice * (1 - l.l_discount)) AS revenue,
    SUM(l.l_quantity) AS quantity
FROM tpch.lineitem AS l
JOIN tpch.part AS p ON p.p_partkey = l.l_partkey
GROUP BY 1, 2
