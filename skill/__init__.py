"""Cramp Coach: an Alexa skill that guides a runner through a leg cramp."""
