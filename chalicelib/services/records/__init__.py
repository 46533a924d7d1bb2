"""Chat records (issue 13): the `records` consumer of the event stream keeps one searchable
record per conversation and a token index of its messages (`indexer`); `search` answers the
filtered, paged list and transcripts; `export` writes them as CSV or JSON, directly or in the
background to S3. Rules (tokens, filters, visibility) are in chalicelib/domain/records.py."""
