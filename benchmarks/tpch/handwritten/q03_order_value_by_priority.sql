-- Average order value (total over count) and orders by year and priority.
SELECT
    DATE_TRUNC('year', o_orderdate)::DATE AS year,
    o_orderpriority AS priority,
    SUM(o_totalprice)::DOUBLE / COUNT(*) AS average_order_value,
    COUNT(*) AS orders
FROM tpch.orders
GROUP BY 1, 2
