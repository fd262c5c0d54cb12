"""The editorial workflow of a pathway through the Wagtail admin: a peer
supporter submits a blog post, a clinician of that pathway approves it; peers
cannot publish, and another pathway's clinician cannot approve."""

import pytest
from django.utils.text import slugify
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from community.models import Role
from home.models import BlogIndexPage, BlogPage, PathwayPage
from tests.factories import enrol_totp, make_member

pytestmark = pytest.mark.django_db


def blog_of(pathway) -> BlogIndexPage:
    landing = PathwayPage.objects.get(pathway=pathway)
    blog = BlogIndexPage(title="Stories", slug="stories")
    landing.add_child(instance=blog)
    blog.save_revision().publish()
    return blog


def signed_in_staff(client, pathway, role):
    user = make_member(pathway, role)
    enrol_totp(user)
    client.force_login(user)
    return user


def draft_form(title, action):
    return nested_form_data(
        {
            "title": title,
            "slug": slugify(title),
            "introduction": "Hello",
            "content_warning": "",
            "body": streamfield([]),
            "tags": "",
            "comments": inline_formset([]),
            action: "1",
        }
    )


def test_a_peer_submits_and_a_clinician_of_the_pathway_approves(
    client, pathway, other_pathway
):
    blog = blog_of(pathway)
    peer = signed_in_staff(client, pathway, Role.PEER)
    add = f"/admin/pages/add/home/blogpage/{blog.pk}/"
    # Peers cannot publish directly...
    client.post(add, draft_form("Straight out", "action-publish"))
    assert not BlogPage.objects.live().exists()
    # ...they submit for review.
    response = client.post(add, draft_form("My first post", "action-submit"))
    assert response.status_code == 302, response.content.decode()[:3000]
    post = BlogPage.objects.get(title="My first post")
    assert not post.live and post.owner == peer
    state = WorkflowState.objects.get(object_id=str(post.pk))
    task_state = state.current_task_state

    signed_in_staff(client, other_pathway, Role.CLINICIAN)
    action = f"/admin/pages/workflow/action/{post.pk}/approve/{task_state.pk}/"
    refused = client.post(action, {"comment": ""})
    post.refresh_from_db()
    assert refused.status_code in (302, 403, 404) and not post.live

    signed_in_staff(client, pathway, Role.CLINICIAN)
    response = client.post(action, {"comment": "Lovely, thank you"})
    assert response.status_code in (200, 302)
    post.refresh_from_db()
    assert post.live


def test_each_pathway_has_its_own_workflow_and_collection(pathway, other_pathway):
    from wagtail.models import WorkflowPage

    mine = WorkflowPage.objects.get(page=PathwayPage.objects.get(pathway=pathway))
    theirs = WorkflowPage.objects.get(
        page=PathwayPage.objects.get(pathway=other_pathway)
    )
    assert mine.workflow != theirs.workflow
    groups = {g.name for g in mine.workflow.tasks.get().specific.groups.all()}
    assert groups and all(f"({pathway.pk})" in name for name in groups)
    assert pathway.collection and other_pathway.collection
    assert pathway.collection != other_pathway.collection
    assert Page.objects.filter(pk=mine.page_id).exists()
