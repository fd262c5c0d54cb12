"""A member's own safety plan (issue #21 item 2): the Stanley–Brown steps."""
