"""youthbot: the chatbot of an ICT youth training programme in Kosovo."""
