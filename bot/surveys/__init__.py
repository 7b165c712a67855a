"""Follow-up surveys: definitions read from YAML files, campaigns that plan the sends,
how each question is asked and read, and the staff's export and indicators."""
