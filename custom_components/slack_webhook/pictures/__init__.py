"""Pictures in messages: a camera snapshot, an image entity or a file, shown by Slack.

The send action's picture fields become an image in the message: the
message is checked with a slot for the picture, then the picture is read,
stored under a random id and its URL put in the slot, all before anything
is sent. Slack fetches it from an unauthenticated view by that id. A
picture is kept while a pending message shows it, then for the entry's
retention; the store's total size is bounded. The rest of the integration
uses only the names below; checking the message is payload.py's, sending it
delivery/'s.

- message.py: the picture fields into the checked message.
- source.py: reading a camera, an image entity or an allowed file.
- store.py: the stored pictures and their lifetime.
- view.py: the view that serves them to Slack.
"""

from .message import async_validated_message
from .store import IMAGE_PATH, IMAGES, ImageStore
from .view import ImageView

__all__ = ["IMAGES", "IMAGE_PATH", "ImageStore", "ImageView", "async_validated_message"]
