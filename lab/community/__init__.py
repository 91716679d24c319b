"""Community help: questions, answers, votes, me too, flags, knowledge base."""
