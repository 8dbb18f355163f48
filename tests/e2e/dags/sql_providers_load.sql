-- Rendered by Jinja before it runs: {{ ds }} is the run's logical date.
CREATE TABLE IF NOT EXISTS events (id serial PRIMARY KEY, day text NOT NULL, source text NOT NULL);
INSERT INTO events (day, source) VALUES ('{{ ds }}', %(source)s), ('{{ ds }}', 'dag:{{ dag.dag_id }}');
