"""Each channel's limit, on its own measure (weighted length on X, characters on WhatsApp).

Kept apart from ``length`` so pages and forms can name the limits without loading
twitter-text, which takes a good part of a second to import.
"""

from __future__ import annotations

X_LIMIT = 280
WHATSAPP_LIMIT = 4096
LIMITS = {"x": X_LIMIT, "whatsapp": WHATSAPP_LIMIT}
