from __future__ import annotations

from brisa.providers.plan import plan_dependencies

SLACK = [
    "apache-airflow>=2.11.0",
    "apache-airflow-providers-common-compat>=1.12.0",
    "apache-airflow-providers-common-sql>=1.27.0",
    "slack-sdk>=3.36.0",
    "asgiref>=2.3.0; python_version < '3.14'",
    "asgiref>=3.11.1; python_version >= '3.14'",
    'apache-airflow-providers-openlineage ; extra == "openlineage"',
]


def test_airflow_and_brisas_own_providers_are_skipped_the_rest_is_resolved():
    plan = plan_dependencies(
        ["apache-airflow-providers-slack"], {"apache-airflow-providers-slack": SLACK}, []
    )
    assert [str(r) for r in plan.others] == ["slack-sdk>=3.36.0", 'asgiref>=2.3.0; python_version < "3.14"']
    assert plan.providers == []
    assert set(plan.skipped) == {
        "apache-airflow>=2.11.0",
        "apache-airflow-providers-common-compat>=1.12.0",
        "apache-airflow-providers-common-sql>=1.27.0",
    }
    assert "Brisa's own common.sql" in plan.skipped["apache-airflow-providers-common-sql>=1.27.0"]


def test_other_providers_are_installed_too_and_walked_once_installed():
    requires = {
        "apache-airflow-providers-amazon": ["apache-airflow-providers-http", "boto3>=1.37"],
        "apache-airflow-providers-http": ["requests>=2.32"],
    }
    first = plan_dependencies(
        ["apache-airflow-providers-amazon"], requires, ["apache-airflow-providers-amazon"]
    )
    assert [str(r) for r in first.providers] == ["apache-airflow-providers-http"]
    assert [str(r) for r in first.others] == ["boto3>=1.37"]
    installed = ["apache-airflow-providers-amazon", "apache-airflow-providers-http"]
    second = plan_dependencies(["apache-airflow-providers-amazon"], requires, installed)
    assert second.providers == []
    assert [str(r) for r in second.others] == ["boto3>=1.37", "requests>=2.32"]


def test_a_real_builtin_provider_the_user_installed_is_walked():
    requires = {
        "apache-airflow-providers-mysql": ["apache-airflow-providers-common-sql>=1.20"],
        "apache-airflow-providers-common-sql": ["sqlparse>=0.5"],
    }
    installed = ["apache-airflow-providers-mysql", "apache-airflow-providers-common-sql"]
    plan = plan_dependencies(["apache-airflow-providers-mysql"], requires, installed)
    assert [str(r) for r in plan.others] == ["sqlparse>=0.5"]
    assert plan.skipped == {}


AMAZON = [
    "boto3>=1.37.0",
    'aiobotocore[boto3]>=2.21.1 ; extra == "aiobotocore"',
    's3fs>=2023.10.0 ; extra == "s3fs"',
]


def test_the_lines_of_an_extra_asked_for_are_installed_without_their_extra_marker():
    requires = {"apache-airflow-providers-amazon": AMAZON}
    roots = ["apache-airflow-providers-amazon"]
    plain = plan_dependencies(roots, requires, roots)
    assert [str(r) for r in plain.others] == ["boto3>=1.37.0"]
    asked = plan_dependencies(roots, requires, roots, {"apache-airflow-providers-amazon": {"aiobotocore"}})
    assert [str(r) for r in asked.others] == ["boto3>=1.37.0", "aiobotocore[boto3]>=2.21.1"]
