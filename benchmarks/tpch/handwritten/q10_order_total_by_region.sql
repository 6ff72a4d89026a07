-- Order totals and distinct customers by year and the customer's region.
SELECT
    DATE_TRUNC('year', o.o_orderdate)::DATE AS year,
    r.r_name AS region,
    SUM(o.o_totalprice) AS order_total,
    COUNT(DISTINCT o.o_custkey) AS customers
FROM tpch.orders AS o
JOIN tpch.customer AS c ON c.c_custkey = o.o_custkey
JOIN tpch.nation AS n ON n.n_nationkey = c.c_nationkey
JOIN tpch.region AS r ON r.r_regionkey = n.n_regionkey
GROUP BY 1, 2
