from django.urls import path

from fangkong.training.views import public, staff

app_name = "training"

urlpatterns = [
    path("", staff.index, name="index"),
    path("totals/", staff.totals_page, name="totals"),
    path("venues/", staff.venues, name="venues"),
    path("courses/<id:pk>/", staff.course, name="course"),
    path("sessions/<id:pk>/", staff.session, name="session"),
    path("sessions/<id:pk>/topics/", staff.topic_add, name="topic_add"),
    path("sessions/<id:pk>/enrol/", staff.enrol_staff, name="enrol_staff"),
    path("sessions/<id:pk>/qr-<str:kind>.svg", staff.session_qr, name="session_qr"),
    path("sessions/<id:pk>/door-card/", staff.door_card, name="door_card"),
    path("sessions/<id:pk>/certificates/", staff.certificates_issue,
         name="certificates_issue"),
    path("enrolments/<id:pk>/", staff.enrolment, name="enrolment"),
    path("enrolments/<id:pk>/reveal/", staff.enrolment_reveal, name="enrolment_reveal"),
    path("enrolments/<id:pk>/checkin/", staff.enrolment_checkin, name="enrolment_checkin"),
    path("enrolments/<id:pk>/certificate.pdf", staff.enrolment_certificate,
         name="enrolment_certificate"),
    # Without an account:
    path("s/<str:key>/", public.enrol, name="enrol"),
    path("t/<str:key>/", public.trainee, name="trainee"),
    path("t/<str:key>/join/", public.trainee_join, name="trainee_join"),
    path("t/<str:key>/feedback/", public.trainee_feedback, name="trainee_feedback"),
    path("t/<str:key>/certificate.pdf", public.trainee_certificate,
         name="trainee_certificate"),
    path("c/<str:token>/", public.door, name="door"),
    path("v/<str:key>/", public.verify, name="verify"),
]
