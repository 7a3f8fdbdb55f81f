"""CSV imports kept between the browser's upload and the background job that imports them.

Domain layer: it knows the upload folder and the RQ job, never the web views.
"""
