-- Urgent orders' total, and its share of all orders' total, by month.
SELECT
    DATE_TRUNC('month', o_orderdate)::DATE AS month,
    SUM(o_totalprice) FILTER (WHERE o_orderpriority = '1-URGENT') AS urgent_order_total,
    SUM(o_totalprice) FILTER (WHERE o_orderpriority = '1-URGENT')::DOUBLE
        / SUM(o_totalprice) AS urgent_share
FROM tpch.orders
GROUP BY 1
