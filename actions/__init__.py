"""Custom actions of Preventiewijzer (run by the rasa_sdk action server).

Thin by design: read slots, call ``knowledge``, render replies. No SQL here.
"""

import os as _os

# `python -m bot run` sets this for the action server: the knowledge base is built while the server
# starts, so the first officer's first answer is not slower than the action timeout of the Rasa server.
if _os.environ.get("ACTIONS_WARM_UP") == "1":
    from conversation import kb as _kb

    _kb.parser()
    _kb.engine()
