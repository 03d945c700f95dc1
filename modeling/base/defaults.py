"""Default Hub ids, in one place.

emotune's own ids name where the converted original checkpoints are published; every API that
takes a model also takes a local folder.
"""

MUSIC2EMO_MODEL = "emotune/music2emo"
"""The multitask student converted from the original J_all.ckpt."""

BTC_CHORD_MODEL = "emotune/btc-large-voca"
"""BTC large-vocabulary chord recogniser converted from btc_model_large_voca.pt."""

MERT_MODEL = "m-a-p/MERT-v1-95M"
"""The audio encoder Music2Emo was trained on."""

AMT_MODEL = "emotune/video2music-amt"
"""The Affective Multimodal Transformer converted from Video2Music's best_loss_weights.pickle."""

AMT_REGRESSION_MODEL = "emotune/video2music-regression"
"""The bi-GRU note density / loudness model converted from best_rmse_weights.pickle."""

CLIP_MODEL = "openai/clip-vit-large-patch14-336"
"""The image encoder Video2Music's features were computed with."""
