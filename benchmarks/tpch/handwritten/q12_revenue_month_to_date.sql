-- Net revenue accumulated from the first of each month, for every day from the first to the
-- last day shipped (a day without shipments keeps its row).
WITH daily AS (
    SELECT l_shipdate AS day, SUM(l_extendedprice * (1 - l_discount)) AS revenue
    FROM tpch.lineitem
    GROUP BY 1
),
days AS (
    SELECT CAST(range AS DATE) AS day
    FROM range(
        (SELECT MIN(day) FROM daily), (SELECT MAX(day) FROM daily) + 1, INTERVAL 1 DAY
    )
),
filled AS (
    SELECT days.day, daily.revenue FROM days LEFT JOIN daily USING (day)
)
SELECT
    day,
    SUM(revenue) OVER (PARTITION BY DATE_TRUNC('month', day) ORDER BY day) AS month_to_date
FROM filled
