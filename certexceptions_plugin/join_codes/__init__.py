"""Course join codes: learners type a short code to enrol themselves."""
