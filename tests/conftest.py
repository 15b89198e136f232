import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction

from front.loading import load_strategy
from kpis import roles
from kpis.models import Department, Strategy

# The real hasher (PBKDF2) is slow on purpose, about 0.5–1 s a password here: with a few users per
# test it was most of the suite's time. Tests hash with MD5; logins and forms work the same, and
# tests/test_deploy_settings.py checks the production settings in a subprocess.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the strategy once per test database; each test runs in a transaction on top of it."""
    with django_db_blocker.unblock():
        load_strategy()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """A transaction around the tests of one module (on each worker), for rows that are costly to
    make and that the tests only read: a module-scoped fixture that depends on this one makes them
    once; each test (marked django_db) runs in its own transaction nested in this one, so what it
    writes is rolled back to the shared rows, and the shared rows go after the module's last test.
    Not for transactional tests (pytest-django runs those after all the others anyway).
    The database stays open to the module's fixtures while it runs."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def strategy(db):
    return Strategy.objects.get(code="nemuro-2")


def _user(username, role=None):
    user = User.objects.create_user(username, password="password")
    if role:
        user.groups.add(
            Group.objects.get_or_create(name=role)[0]
        )  # a transactional test may have flushed it
    return user


@pytest.fixture
def fisheries(db):
    return Department.objects.create(name="水産振興課")


@pytest.fixture
def tourism(db):
    return Department.objects.create(name="観光振興課")


def make_user(username, department=None):
    """alice, bob, charlie, dave or mallory as the fixtures of those names make them (the
    department: 水産振興課 for alice, 観光振興課 for mallory)."""
    role = {
        "alice": roles.CLERK,
        "bob": roles.SECRETARIAT,
        "charlie": roles.COUNCIL,
        "dave": roles.ADMINISTRATOR,
        "mallory": roles.CLERK,
    }[username]
    user = _user(username, role)
    if department is not None:
        department.members.add(user)
    if role == roles.ADMINISTRATOR:
        user.is_staff = True
        user.save()
    return user


@pytest.fixture
def alice(db, fisheries):
    """入力担当 of 水産振興課."""
    return make_user("alice", fisheries)


@pytest.fixture
def bob(db):
    """事務局 (総合政策部)."""
    return make_user("bob")


@pytest.fixture
def charlie(db):
    """有識者会議の委員."""
    return make_user("charlie")


@pytest.fixture
def dave(db):
    """管理者."""
    return make_user("dave")


@pytest.fixture
def mallory(db, tourism):
    """入力担当 of another department (観光振興課)."""
    return make_user("mallory", tourism)


@pytest.fixture
def final_basis(strategy):
    """The strategy graded on 最終目標値に対する進捗率 (the other basis an administrator may pick)
    instead of the default 年度按分."""
    from kpis.models import EvaluationSettings

    EvaluationSettings.objects.update_or_create(
        strategy=strategy, defaults={"grade_basis": EvaluationSettings.GradeBasis.FINAL}
    )
    return strategy
