# The demo, step by step: the commands of the README's "Try it" sections, in order.
cd "$(mktemp -d)"    # the example files go to a temporary folder
LMS=http://127.0.0.1:8000
COURSE=$LMS/api/instructor/v2/courses/course-v1:DemoX+CE101+2026
JOIN=$LMS/api/course_join/v1/codes
field() { python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }

# Certificate exceptions, as the instructor: preview, grant, grant again, download the rows, remove.
printf 'username_or_email,notes\nlearner1,Medical leave\nlearner2@example.com,\nnobody\nlearner55\nlearner7\nlearner1\n' > exceptions.csv
curl -s -w '\n' -H "Authorization: JWT $TOKEN_INSTRUCTOR" -F file=@exceptions.csv -F dry_run=true $COURSE/certificates/exceptions/imports
curl -s -w '\n' -H "Authorization: JWT $TOKEN_INSTRUCTOR" -F file=@exceptions.csv $COURSE/certificates/exceptions/imports | tee granted.json
curl -s -w '\n' -H "Authorization: JWT $TOKEN_INSTRUCTOR" -F file=@exceptions.csv $COURSE/certificates/exceptions/imports    # now 'unchanged'
curl -s -H "Authorization: JWT $TOKEN_INSTRUCTOR" -o report.csv "$(field report_url < granted.json)"                 # the rows, as CSV
curl -s -w '\n' -H "Authorization: JWT $TOKEN_STAFF" -F file=@exceptions.csv $COURSE/certificates/exceptions/imports          # 403: staff may not
curl -s -w '\n' -H "Authorization: JWT $TOKEN_INSTRUCTOR" -F file=@exceptions.csv -F action=remove $COURSE/certificates/exceptions/imports

# A roster with student ids, as course staff: preview, invite and enrol, then the course's ids.
printf 'email,name,student_id\nnewperson@example.com,New Person,S0200\nlearner1@example.com,,S0003\nlearner3@example.com,,S0001\nlearner4@example.com,,S0002\nlearner55@example.com,,\nnewstudent@example.com,,\nnot-an-email,,S0400\n' > roster.csv
curl -s -w '\n' -H "Authorization: JWT $TOKEN_STAFF" -F file=@roster.csv -F dry_run=true $COURSE/invitations/bulk
curl -s -w '\n' -H "Authorization: JWT $TOKEN_STAFF" -F file=@roster.csv $COURSE/invitations/bulk
curl -s -w '\n' -H "Authorization: JWT $TOKEN_STAFF" "$COURSE/external_ids?search=S000"
curl -s -H "Authorization: JWT $TOKEN_STAFF" -o external_ids.csv $COURSE/external_ids.csv
curl -s -w '\n' -X PATCH -H "Authorization: JWT $TOKEN_STAFF" -H "Content-Type: application/json" -d '{"learner": "learner5", "external_id": "S0002"}' $COURSE/external_ids    # 409

# A join code: staff create it, learner51 (not enrolled in CE101) joins with it.
curl -s -w '\n' -X POST -H "Authorization: JWT $TOKEN_STAFF" $COURSE/join_code                # 201, then 200
CODE=$(curl -s -H "Authorization: JWT $TOKEN_STAFF" $COURSE/join_code | field code)
curl -s -w '\n' $JOIN/$(echo $CODE | tr 'A-Z' 'a-z')                                          # unauthenticated, and the course
curl -s -w '\n' -H "Authorization: JWT $TOKEN_LEARNER51" $JOIN/$CODE                          # joinable
curl -s -w '\n' -X POST -H "Authorization: JWT $TOKEN_LEARNER51" $JOIN/$CODE                  # enrolled
curl -s -w '\n' -X POST -H "Authorization: JWT $TOKEN_LEARNER51" $JOIN/$CODE                  # already_enrolled
curl -s -H "Authorization: JWT $TOKEN_STAFF" -o join.svg $COURSE/join_code/qr.svg               # a QR code of its join_url
curl -s -w '\n' -X POST -H "Authorization: JWT $TOKEN_STAFF" $COURSE/join_code/regenerate
curl -s -w '\n' $JOIN/$CODE                                                                     # 404: the old code is gone

# Who did what.
curl -s -w '\n' -H "Authorization: JWT $TOKEN_STAFF" "$COURSE/audit?action=certificate_exception.granted"
ls "$PWD"    # exceptions.csv granted.json report.csv roster.csv external_ids.csv join.svg
