"""A record type of an app that exists only in the tests ("ticket").

It shows that a new app adds a record type by touching nothing but itself: one model,
one `RecordSpec` registered in its `ready()`. Rights, custom fields, files, the audit
trail, the timeline and the field allow-list then know it, with no line of core changed.
"""
