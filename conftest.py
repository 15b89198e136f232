import os

# Tests run with production settings (DEBUG off) except where a test needs plain HTTP and no
# collectstatic: tests/test_deploy_settings.py checks the real production values in a subprocess.
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
