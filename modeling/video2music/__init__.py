"""Video2Music: music for a video, from per-second video features to a video with a soundtrack.

Modules (import from them directly; decord, PySceneDetect and CLIP load only when used):

* :mod:`.video_features`: ``VideoFeatureExtractor`` -> ``VideoFeatures`` (CLIP semantic and emotion,
  scene offset, motion; one row per second);
* :mod:`.clip_encoder`: CLIP image embeddings and zero-shot emotion probabilities of frames (a
  random-weight stand-in for offline use: :func:`modeling.stand_ins.save_random_clip`);
* :mod:`.media`: ffprobe/ffmpeg helpers and the video input checks;
* :mod:`.arrangement`: chords (one per second) + note density + loudness -> MIDI (pretty_midi);
* :mod:`.rendering`: MIDI -> audio with FluidSynth, audio + video -> video with ffmpeg;
* :mod:`.outputs`: the four outputs of a render (video, MIDI, audio, JSON);
* :mod:`.affective`: the affective check (video emotion against the music's VA over time).
"""
