-- Distinct customers ordering, and orders, by month.
SELECT
    DATE_TRUNC('month', o_orderdate)::DATE AS month,
    COUNT(DISTINCT o_custkey) AS customers,
    COUNT(*) AS orders
FROM tpch.orders
GROUP BY 1
