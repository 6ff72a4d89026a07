-- Discount given, its share of the gross, and the average discount rate, by quarter and mode.
SELECT
    DATE_TRUNC('quarter', l_shipdate)::DATE AS quarter,
    l_shipmode AS ship_mode,
    SUM(l_extendedprice * l_discount) AS discount_given,
    SUM(l_extendedprice * l_discount)::DOUBLE / SUM(l_extendedprice) AS discount_share,
    AVG(l_discount::DOUBLE) AS average_discount
FROM tpch.lineitem
GROUP BY 1, 2
