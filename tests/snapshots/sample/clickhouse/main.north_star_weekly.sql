-- saved query 'north_star_weekly' (models/semantic/north_star.yml:22), export 'north_star_weekly'
-- grain: metric_time__week
-- metrics: repeat_customers, active_customers, repeat_rate, orders, revenue, average_order_value, active_customers_28_days
-- compiled for clickhouse; edit the definitions, not this file
CREATE OR REPLACE VIEW main.north_star_weekly AS
WITH sl_digits AS (
  SELECT
    n
  FROM (
    SELECT
      0 AS n
    UNION ALL
    SELECT
      1 AS n
    UNION ALL
    SELECT
      2 AS n
    UNION ALL
    SELECT
      3 AS n
    UNION ALL
    SELECT
      4 AS n
    UNION ALL
    SELECT
      5 AS n
    UNION ALL
    SELECT
      6 AS n
    UNION ALL
    SELECT
      7 AS n
    UNION ALL
    SELECT
      8 AS n
    UNION ALL
    SELECT
      9 AS n
  ) AS digits
), orders__agg1 AS (
  SELECT
    metric_time__week,
    COUNT(DISTINCT src.customers_with_orders__filtered) AS customers_with_orders__filtered
  FROM (
    SELECT
      toDate(dateTrunc('WEEK', orders.ordered_at)) AS metric_time__week,
      orders.is_repeat_order AS order_id__is_repeat_order,
      orders.customer_id AS customers_with_orders__filtered
    FROM main.orders AS orders
  ) AS src
  WHERE
    order_id__is_repeat_order
  GROUP BY
    metric_time__week
), orders__agg2 AS (
  SELECT
    metric_time__week,
    COUNT(DISTINCT src.customers_with_orders) AS customers_with_orders,
    SUM(src.order_count) AS order_count,
    SUM(src.order_total) AS order_total
  FROM (
    SELECT
      toDate(dateTrunc('WEEK', orders.ordered_at)) AS metric_time__week,
      orders.customer_id AS customers_with_orders,
      1 AS order_count,
      orders.order_total AS order_total
    FROM main.orders AS orders
  ) AS src
  GROUP BY
    metric_time__week
), orders__agg3__rows AS (
  SELECT
    metric_time__day,
    customers_with_orders__active_customers_28_days
  FROM (
    SELECT
      toDate(dateTrunc('WEEK', orders.ordered_at)) AS metric_time__week,
      toDate(orders.ordered_at) AS metric_time__day,
      orders.customer_id AS customers_with_orders__active_customers_28_days
    FROM main.orders AS orders
  ) AS src
), orders__agg3__days AS (
  SELECT
    metric_time__day
  FROM (
    SELECT
      metric_time__day
    FROM (
      SELECT
        addDays(
          toDate32((
            SELECT
              MAX(metric_time__day)
            FROM orders__agg3__rows
          )),
          -(
            d0.n + 10 * d1.n + 100 * d2.n + 1000 * d3.n + 10000 * d4.n
          )
        ) AS metric_time__day
      FROM sl_digits AS d0
      CROSS JOIN sl_digits AS d1
      CROSS JOIN sl_digits AS d2
      CROSS JOIN sl_digits AS d3
      CROSS JOIN sl_digits AS d4
    ) AS spine
    WHERE
      metric_time__day >= (
        SELECT
          MIN(metric_time__day)
        FROM orders__agg3__rows
      )
  ) AS shown
), orders__agg3__daily AS (
  SELECT
    d.metric_time__day AS metric_time__day,
    COUNT(DISTINCT r.customers_with_orders__active_customers_28_days) AS customers_with_orders__active_customers_28_days
  FROM orders__agg3__days AS d
  INNER JOIN orders__agg3__rows AS r
    ON r.metric_time__day <= d.metric_time__day
    AND r.metric_time__day > addDays(toDate32(d.metric_time__day), -28)
  GROUP BY
    d.metric_time__day
), orders__agg3 AS (
  SELECT
    metric_time__week,
    customers_with_orders__active_customers_28_days
  FROM (
    SELECT
      toDate(dateTrunc('WEEK', metric_time__day)) AS metric_time__week,
      customers_with_orders__active_customers_28_days,
      ROW_NUMBER() OVER (
        PARTITION BY toDate(dateTrunc('WEEK', metric_time__day))
        ORDER BY metric_time__day DESC
      ) AS sl_pick
    FROM orders__agg3__daily
  ) AS ranked
  WHERE
    sl_pick = 1
), combined AS (
  SELECT
    metric_time__week,
    MAX(src.customers_with_orders__filtered) AS customers_with_orders__filtered,
    MAX(src.customers_with_orders) AS customers_with_orders,
    MAX(src.order_count) AS order_count,
    MAX(src.order_total) AS order_total,
    MAX(src.customers_with_orders__active_customers_28_days) AS customers_with_orders__active_customers_28_days
  FROM (
    SELECT
      orders__agg1.metric_time__week AS metric_time__week,
      orders__agg1.customers_with_orders__filtered AS customers_with_orders__filtered,
      orders__agg2.customers_with_orders AS customers_with_orders,
      orders__agg2.order_count AS order_count,
      orders__agg2.order_total AS order_total,
      orders__agg3.customers_with_orders__active_customers_28_days AS customers_with_orders__active_customers_28_days
    FROM orders__agg1
    CROSS JOIN orders__agg2
    CROSS JOIN orders__agg3
    WHERE
      1 = 0
    UNION ALL
    SELECT
      metric_time__week,
      customers_with_orders__filtered,
      NULL AS customers_with_orders,
      NULL AS order_count,
      NULL AS order_total,
      NULL AS customers_with_orders__active_customers_28_days
    FROM orders__agg1
    UNION ALL
    SELECT
      metric_time__week,
      NULL AS customers_with_orders__filtered,
      customers_with_orders,
      order_count,
      order_total,
      NULL AS customers_with_orders__active_customers_28_days
    FROM orders__agg2
    UNION ALL
    SELECT
      metric_time__week,
      NULL AS customers_with_orders__filtered,
      NULL AS customers_with_orders,
      NULL AS order_count,
      NULL AS order_total,
      customers_with_orders__active_customers_28_days
    FROM orders__agg3
  ) AS src
  GROUP BY
    metric_time__week
)
SELECT
  metric_time__week,
  customers_with_orders__filtered AS repeat_customers,
  customers_with_orders AS active_customers,
  CAST(customers_with_orders__filtered AS Nullable(Float64)) / nullIf(CAST(customers_with_orders AS Nullable(Float64)), 0) AS repeat_rate,
  order_count AS orders,
  order_total AS revenue,
  CAST(order_total AS Nullable(Float64)) / nullIf(CAST(order_count AS Nullable(Float64)), 0) AS average_order_value,
  customers_with_orders__active_customers_28_days AS active_customers_28_days
FROM combined;
