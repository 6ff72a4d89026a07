-- Order totals and counts by month and the customer's nation.
SELECT
    DATE_TRUNC('month', o.o_orderdate)::DATE AS month,
    n.n_name AS nation,
    SUM(o.o_totalprice) AS order_total,
    COUNT(*) AS orders
FROM tpch.orders AS o
JOIN tpch.customer AS c ON c.c_custkey = o.o_custkey
JOIN tpch.nation AS n ON n.n_nationkey = c.c_nationkey
GROUP BY 1, 2
