"""Reads what a runner said: red flags by concept, the muscle, how the cramp feels, and answers.

Alexa's NLU picks the intent; these modules read the words the request carries (slot values and
free-form reports), using vocabulary kept as data in skill/content/lexicon.json.
"""
