import pytest
from django.test import Client

from troubleshoot.models import Choice, Guide, Node, Version


@pytest.fixture
def admin_client(shipped, django_user_model) -> Client:
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_node_page_offers_only_its_guides_nodes(admin_client):
    node = Node.objects.get(guide__slug="ns0109", slug="what-changed")
    page = admin_client.get(f"/admin/troubleshoot/node/{node.pk}/change/").content.decode()
    assert "update-connection: Save the current credentials in the Workspace" in page
    assert "list-permissions" not in page  # an NS0384 node


def test_publish_action_stores_the_next_version(admin_client):
    guide = Guide.objects.get(slug="ns0565")
    response = admin_client.post(
        "/admin/troubleshoot/guide/", {"action": "publish", "_selected_action": [guide.pk]}, follow=True
    )
    assert "Published ns0565 as version 2." in response.content.decode()
    assert Version.objects.get(guide=guide, number=2).published_by.username == "admin"


def test_publish_action_refuses_a_broken_draft(admin_client):
    guide = Guide.objects.get(slug="ns0565")
    Choice.objects.filter(node__guide=guide, node__slug="token-role").delete()
    response = admin_client.post(
        "/admin/troubleshoot/guide/", {"action": "publish", "_selected_action": [guide.pk]}, follow=True
    )
    page = response.content.decode()
    assert "Did not publish ns0565" in page
    assert "a question needs at least two choices" in page
    assert Version.objects.filter(guide=guide).count() == 1


def test_published_versions_cannot_be_changed(admin_client):
    version = Version.objects.get(guide__slug="ns0109", number=1)
    response = admin_client.post(f"/admin/troubleshoot/version/{version.pk}/change/", {"note": "changed"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.note != "changed"
