"""LISTENING and ACTING: responses, sentiment, insights, the loop, and the service itself."""
