"""The script sheet: a locale's whole script as one document a clinician can review and sign.

`cramp-coach script` builds it (sheet.py) from the content, the review records and a walk through
the dialog (replies.py), times every line (timing.py) and writes it as HTML or Markdown.
"""
