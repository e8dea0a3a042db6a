"""JupyterLab server settings for the browser test only: loopback, no token, no browser.

The test passes the port, the root folder (a temporary copy of the notebooks) and private
settings and workspace folders on the command line; see ``test_jupyterlab.py``.
"""

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)

c.ServerApp.ip = "127.0.0.1"
c.ServerApp.port_retries = 0
c.ServerApp.open_browser = False
c.ServerApp.allow_root = True  # CI runs as root; without this the server refuses to start
c.ServerApp.password = ""
c.ServerApp.disable_check_xsrf = True
c.IdentityProvider.token = ""
c.ServerApp.allow_remote_access = False
c.LabApp.news_url = None  # no "get notified about Jupyter news" request or toast
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
