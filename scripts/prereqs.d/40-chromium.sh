# Headless Chromium for the dashboard's browser tests (Playwright drives Debian's build;
# Playwright's own browser download cannot work offline). Fonts so pages render text.
apt_install chromium fonts-dejavu-core
if command -v chromium >/dev/null; then
    echo "chromium: $(chromium --version 2>/dev/null || echo 'installed')"
fi
