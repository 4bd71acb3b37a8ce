"""The Google backend: team spreadsheets in a Drive folder, through gspread and google-auth.

``endpoint`` points every request at Google (or at ``$OKRSHEETS_GOOGLE_API_URL``),
``auth`` builds the credentials of the three set-ups and runs ``google login``,
``failures`` turns Google's answers into okrsheets errors that say what to do,
``drive`` holds the few Drive calls, ``doctor`` checks a set-up end to end,
``backend`` is the Backend provisioning and the rollup use, ``render`` turns a
workbook spec into Sheets requests and ``read`` a spreadsheet into what the
rollup reads. See docs/google.md.
"""
