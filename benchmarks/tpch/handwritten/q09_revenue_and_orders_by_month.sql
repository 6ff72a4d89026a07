-- Line revenue by month shipped beside order totals by month ordered.
WITH shipped AS (
    SELECT
        DATE_TRUNC('month', l_shipdate)::DATE AS month,
        SUM(l_extendedprice * (1 - l_discount)) AS revenue
    FROM tpch.lineitem
    GROUP BY 1
),
ordered AS (
    SELECT
        DATE_TRUNC('month', o_orderdate)::DATE AS month,
        SUM(o_totalprice) AS order_total,
        COUNT(*) AS orders
    FROM tpch.orders
    GROUP BY 1
)
SELECT month, shipped.revenue, ordered.order_total, ordered.orders
FROM shipped
FULL JOIN ordered USING (month)
