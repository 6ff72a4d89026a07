{# Amounts arrive in cents; the shop reports dollars, as exact decimals so sums do not drift. #}
{% macro cents_to_dollars(column_name) -%}
    cast({{ column_name }} / 100.0 as decimal(18, 2))
{%- endmacro %}
