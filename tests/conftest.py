import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

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


@pytest.fixture
def alice(db, fisheries):
    """入力担当 of 水産振興課."""
    user = _user("alice", roles.CLERK)
    fisheries.members.add(user)
    return user


@pytest.fixture
def bob(db):
    """事務局 (総合政策部)."""
    return _user("bob", roles.SECRETARIAT)


@pytest.fixture
def charlie(db):
    """有識者会議の委員."""
    return _user("charlie", roles.COUNCIL)


@pytest.fixture
def dave(db):
    """管理者."""
    user = _user("dave", roles.ADMINISTRATOR)
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def mallory(db, tourism):
    """入力担当 of another department (観光振興課)."""
    user = _user("mallory", roles.CLERK)
    tourism.members.add(user)
    return user


@pytest.fixture
def final_basis(strategy):
    """The strategy graded on 最終目標値に対する進捗率 (the other basis an administrator may pick)
    instead of the default 年度按分."""
    from kpis.models import EvaluationSettings

    EvaluationSettings.objects.update_or_create(
        strategy=strategy, defaults={"grade_basis": EvaluationSettings.GradeBasis.FINAL}
    )
    return strategy
