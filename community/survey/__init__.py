"""The helpfulness survey: "Has Harbour helped your recovery?" (issue #20 item 3)."""
