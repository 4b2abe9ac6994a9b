"""Optional offline speech recognition for call recordings, from a local model folder
(`WOWDESK_ASR_MODEL_PATH`): Vosk (a Kaldi model folder with `am/` and `conf/`) or
faster-whisper (a CTranslate2 folder with `model.bin`). Nothing is ever downloaded: the
packages are optional extras and the model is whatever folder the installation points to.

Telephony recorders write the two parties to the two channels of a stereo WAV; wowdesk
reads the left one as the customer and the right one as the operator, which is the
diarization a call needs. A mono file has one speaker, named by the caller."""

from __future__ import annotations

import importlib.util
import json
import wave
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from wowdesk.errors import Invalid

SPEAKERS = ("customer", "operator")


@dataclass(frozen=True)
class Segment:
    speaker: str
    start: float
    end: float
    text: str


def backend_for(model_path: Path) -> str:
    """`vosk` or `faster-whisper`, from what the folder holds; refuses with the reason."""
    if not model_path.is_dir():
        raise Invalid(
            "The speech model folder {path} does not exist (WOWDESK_ASR_MODEL_PATH)",
            code="asr_model_missing",
            path=str(model_path),
        )
    if (model_path / "model.bin").exists():
        name, module = "faster-whisper", "faster_whisper"
    elif (model_path / "am").is_dir() or (model_path / "conf").is_dir():
        name, module = "vosk", "vosk"
    else:
        raise Invalid(
            "{path} is neither a Vosk nor a faster-whisper model folder",
            code="asr_model_unknown",
            path=str(model_path),
        )
    if importlib.util.find_spec(module) is None:
        raise Invalid(
            "The model needs the {package} package: pip install {package}",
            code="asr_package_missing",
            package=name,
        )
    return name


def read_wav(path: Path) -> tuple[int, list[bytes]]:
    """(sample rate, one 16-bit PCM byte string per channel)."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (OSError, wave.Error, EOFError) as exc:
        raise Invalid(
            "Not a readable WAV file: {error}", code="invalid_wav", error=str(exc)
        ) from exc
    if width != 2 or channels not in (1, 2):
        raise Invalid("The WAV must be 16-bit PCM, mono or stereo", code="invalid_wav")
    if channels == 1:
        return rate, [frames]
    left = b"".join(frames[i : i + 2] for i in range(0, len(frames), 4))
    right = b"".join(frames[i + 2 : i + 4] for i in range(0, len(frames), 4))
    return rate, [left, right]


def _vosk(model_path: Path, rate: int, pcm: bytes) -> list[tuple[float, float, str]]:
    import vosk

    vosk.SetLogLevel(-1)
    recognizer = vosk.KaldiRecognizer(vosk.Model(str(model_path)), rate)
    recognizer.SetWords(True)
    out: list[tuple[float, float, str]] = []

    def take(result: str) -> None:
        data: dict[str, Any] = json.loads(result)
        words = data.get("result") or []
        if words and data.get("text"):
            out.append((float(words[0]["start"]), float(words[-1]["end"]), data["text"]))

    step = rate  # half a second of 16-bit samples
    for i in range(0, len(pcm), step):
        if recognizer.AcceptWaveform(pcm[i : i + step]):
            take(recognizer.Result())
    take(recognizer.FinalResult())
    return out


def _whisper(model_path: Path, rate: int, pcm: bytes) -> list[tuple[float, float, str]]:
    import numpy as np
    from faster_whisper import WhisperModel

    audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    if rate != 16000:  # whisper hears 16 kHz; linear resampling is enough for speech
        target = int(len(audio) * 16000 / rate)
        audio = np.interp(
            np.linspace(0, len(audio), target, endpoint=False), np.arange(len(audio)), audio
        ).astype(np.float32)
    model = WhisperModel(str(model_path), device="cpu", compute_type="int8", local_files_only=True)
    segments, _info = model.transcribe(audio, vad_filter=False)
    return [(float(s.start), float(s.end), s.text.strip()) for s in segments if s.text.strip()]


def transcribe(path: Path, model_path: Path, mono_speaker: str = "customer") -> list[Segment]:
    """Diarized segments in time order, ready for a call record's `segments`."""
    if mono_speaker not in SPEAKERS:
        raise Invalid("Speaker must be customer or operator", code="invalid_speaker")
    backend = backend_for(model_path)
    rate, channels = read_wav(path)
    speakers = [mono_speaker] if len(channels) == 1 else list(SPEAKERS)
    run = _vosk if backend == "vosk" else _whisper
    found = [
        Segment(speaker, round(start, 2), round(end, 2), text)
        for speaker, pcm in zip(speakers, channels, strict=True)
        for start, end, text in run(model_path, rate, pcm)
    ]
    return sorted(found, key=lambda s: (s.start, s.end))


def as_json(segments: list[Segment]) -> str:
    return json.dumps({"segments": [asdict(s) for s in segments]}, ensure_ascii=False)
