"""Reports and analytics (issue 13): a consumer of the conversation event stream
(`consumer.handle`) that keeps pre-aggregated day buckets, and the queries that read them
(`queries.site_report`, `live.now`). The metric definitions are in chalicelib/domain/reports.py.
"""
