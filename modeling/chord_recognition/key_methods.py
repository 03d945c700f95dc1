"""The names of the key methods of :func:`modeling.chord_recognition.key.detect_key`.

A module without imports: the command line offers these names as choices, and checks them, before any
heavy library is loaded.
"""

CHORD_KEY_METHODS = ("music21", "profiles", "degrees")
"""The methods that read the chords alone."""
AUDIO_KEY_METHODS = ("chroma",)
"""The methods that read the audio's chroma (``detect_key(..., chroma=...)``)."""
KEY_METHODS = CHORD_KEY_METHODS + AUDIO_KEY_METHODS
"""Every method; ``"music21"`` (Music2Emo's) is the default everywhere."""
