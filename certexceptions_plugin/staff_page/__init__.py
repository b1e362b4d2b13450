"""
The Bulk tools staff page (``certexceptions/courses/{course_id}/``) and the same content as a tab of the LMS's
instructor dashboard (the ``InstructorDashboardRenderStarted`` pipeline step in :mod:`.filters`).

Server side it only renders: markup, the CSS and JavaScript, the endpoint URLs and translated sentences. Every
action runs in the browser against the plugin's REST endpoints.
"""
