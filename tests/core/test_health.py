def test_healthz_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database(client, db):
    assert client.get("/readyz").json() == {"status": "ready"}


def test_metrics_count_requests_by_route(client):
    client.get("/healthz")
    body = client.get("/metrics").content.decode()
    assert 'ombuds_http_requests_total{method="GET",route="healthz",status="2xx"}' in body
