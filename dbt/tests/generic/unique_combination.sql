{#
    The grain of a model is a combination of columns: fail on every combination that
    occurs more than once. (dbt_utils has the same test, but packages need `dbt deps`,
    which needs the internet.)

    Usage, on the model:
        data_tests:
          - unique_combination:
              arguments:
                columns: [order_date, category, region, segment]
#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
