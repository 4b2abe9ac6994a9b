# ruff: noqa: E501  (the phrasings are data: one per string, not wrapped)
"""Writes the development set the secret-request model learns from:
`src/wowdesk/nlp/data/secret_requests.jsonl`, one `{"text", "kinds"}` per line.

Requests for secrets come in many shapes (a full polite sentence, a bare «cvv?», «Код из
смс?», «Диктуйте.», a modal «мне нужен ваш…», English, obfuscated spellings) and so do the
texts that only mention one (warnings, instructions to type a code into the app, codes that
are no secret: promo, order, pickup). The set crosses hand-written parts of both; the seed
makes it reproducible. Run: `python scripts/secret_requests_data.py`, then
`python -m wowdesk.nlp.secret_model_training` to retrain and write the shipped arrays.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "wowdesk" / "nlp" / "data"
SEED = 16

RU_OBJECTS = {
    "SMS_CODE": [
        "код из СМС", "код из смс", "смс-код", "код из sms", "код подтверждения",
        "одноразовый пароль", "код, который пришёл", "цифры из сообщения",
        "цифры, которые пришли вам в сообщении", "код из пуш-уведомления", "проверочный код",
        "код, который мы выслали", "шестизначный код", "пароль из СМС", "код из сообщения банка",
        "код из смски", "цифры из смс", "код", "код с телефона", "код, что пришёл на номер",
        "четыре цифры из СМС", "код для входа", "код из сообщения", "пришедший код",
        "код, который вам отправили", "кодик из смс", "смс с кодом", "код из СМС-сообщения",
    ],
    "CVV": [
        "CVV", "cvv-код", "CVC", "CVC2", "три цифры на обороте карты", "код на обратной стороне карты",
        "код безопасности карты", "цифры с оборота", "CVV вашей карты", "трёхзначный код с карты",
        "код с обратной стороны", "свв", "cvv код",
    ],
    "PIN": ["пин-код", "PIN карты", "пин", "ПИН-код от карты", "пин от карты", "пинкод"],
    "PASSWORD": [
        "пароль", "пароль от личного кабинета", "пароль от аккаунта", "ваш пароль",
        "пароль от почты", "пароль для входа", "пароль от Госуслуг", "логин и пароль",
        "пароль от приложения", "пароль от кабинета",
    ],
    "CARD": [
        "номер карты полностью", "полный номер карты", "все 16 цифр карты", "данные карты",
        "номер вашей банковской карты целиком", "номер карты и срок действия",
        "все цифры карты", "реквизиты карты: номер и срок", "16 цифр с лицевой стороны карты",
    ],
}  # fmt: skip
RU_VERBS = [
    "Назовите", "Назови", "Продиктуйте", "Диктуйте", "Диктуй", "Продиктуй", "Сообщите",
    "Скажите", "Скажи", "Пришлите", "Скиньте", "Скинь", "Напишите", "Пишите", "Отправьте",
    "Укажите", "Зачитайте", "Подскажите", "Озвучьте", "Перешлите", "Повторите", "Уточните",
    "Введите сюда", "Напишите в чат", "Пришлите в ответ", "Говорите", "Называйте", "Сообщи",
    "Отправь", "Черкните", "Киньте", "Вышлите", "Прочитайте",
]  # fmt: skip
RU_PREFIXES = [
    "", "", "", "Пожалуйста, ", "Для подтверждения ", "Чтобы отменить операцию, ",
    "Срочно ", "Для проверки личности ", "Так, ", "Хорошо, теперь ", "Чтобы я вернул деньги, ",
    "Давайте так: ", "Отлично. ", "Последний шаг: ", "Для возврата ", "Секунду, ",
    "Чтобы защитить ваш счёт, ", "Ок, ",
]  # fmt: skip
RU_SUFFIXES = [
    "", "", ".", ".", "!", ", пожалуйста.", " прямо сейчас.", ", это срочно.",
    ", чтобы мы отменили операцию.", " для подтверждения.", " мне.", " сюда.", ", жду.",
    " в чат.", ", и я всё проверю.",
]  # fmt: skip
RU_FRAMES = [
    "{v} {o}{s}", "{p}{v} {o}{s}", "{p}{v}, пожалуйста, {o}{s}", "{o} {v}{s}",
    "{o}?", "А {o}?", "{o} какой?", "Какой {o}?", "Какой у вас {o}?", "{o} подскажете?",
    "{o} есть?", "Мне нужен ваш {o}{s}", "Нужен {o}{s}", "Мне понадобится {o}{s}",
    "Прошу сообщить {o}{s}", "Можете продиктовать {o}?", "Не могли бы вы назвать {o}?",
    "Вы можете прислать {o}?", "Жду {o}{s}", "Теперь {o}{s}", "Давайте {o}{s}",
    "{p}{o}, пожалуйста{s}", "Нам нужно получить {o}{s}", "Сообщите нам {o}{s}",
    "Требуется {o}{s}", "Осталось назвать {o}{s}", "Что за {o} пришёл?",
    "Подскажите, какой {o}?", "{o} скажете?", "А {o} продиктуете?",
    "Напишите, что пришло в смс{s}", "Что вам пришло в СМС?", "Какие цифры в смс?",
]  # fmt: skip
RU_NEG_FRAMES = [
    "Никому не сообщайте {o}{s}", "Никогда не называйте {o}, даже нам{s}",
    "Не сообщайте {o} никому{s}", "Мы никогда не просим {o}{s}",
    "Сотрудники не спрашивают {o}{s}", "Если у вас спрашивают {o}, это мошенники{s}",
    "{o} нельзя сообщать никому{s}", "Не называйте {o} даже сотрудникам поддержки{s}",
    "Никому не диктуйте {o}{s}", "Нам не нужен ваш {o}{s}", "Не присылайте {o} в чат{s}",
    "Не пишите {o} в переписке{s}", "{o} не нужен, всё в порядке{s}",
    "Мошенники часто просят {o} — не говорите его{s}",
    "Оператор никогда не спросит {o}{s}", "Никому, даже нам, не говорите {o}{s}",
    "Если кто-то просит {o}, прекратите разговор{s}",
    "Не отвечайте на просьбы назвать {o}{s}",
]  # fmt: skip
# statements about a secret that ask for nothing
RU_STATEMENTS = [
    "{O} мы отправим в СМС.",
    "{O} придёт вам на телефон.",
    "{O} нужен только вам.",
    "{O} знаете только вы.",
    "Подтвердите операцию на странице банка, там нужен {o}.",
    "Вы можете сменить {o} в настройках.",
    "{O} вводится только на сайте банка.",
    "{O} вы получите через минуту.",
    "{O} не передаётся нам.",
    "{O} хранится только у вас.",
    "Мы вышлем {o} повторно.",
    "{O} обновится после сброса.",
    "{O} действует недолго.",
    "Если забыли {o}, восстановите его в приложении.",
    "{O} у вас не спрашиваем.",
    # the operator sends a code, asks for nothing (the verification panel mails one)
    "Я отправлю {o} на вашу почту.",
    "Сейчас пришлю вам {o} на почту.",
    "Я вышлю вам {o}.",
    "Отправил {o} на почту.",
    "Мы отправили {o} на ваш телефон.",
    "Сейчас вышлю {o} повторно, проверьте входящие.",
]
RU_INSTRUMENTS = [
    "кодом из СМС",
    "паролем",
    "пин-кодом",
    "одноразовым паролем",
    "кодом из смс",
    "кодом подтверждения",
    "кодом из пуш-уведомления",
]
RU_INSTRUMENT_FRAMES = [
    "Подтвердите вход {i}.",
    "Подтвердите номер телефона {i}.",
    "Подтвердите оплату {i} на странице банка.",
    "Войдите в кабинет {i}.",
    "Операцию нужно подтвердить {i} в приложении.",
    "Подпишите заявление {i}.",
]
RU_BARE_CODE = [
    "Диктуйте код",
    "Код диктуйте",
    "Говорите код",
    "Код, пожалуйста",
    "Назовите код",
    "Код скажите",
    "Код?",
    "Какой код?",
    "Что за код пришёл?",
    "Назовите код, который пришёл",
    "Продиктуйте код",
    "Скажите код",
    "Код назовите",
    "Пишите код",
    "Код напишите",
    "Код какой?",
    "Диктуйте цифры",
    "Цифры продиктуйте",
    "Цифры какие?",
    "Какие цифры пришли?",
    "Называйте цифры",
    "Жду код",
    "Код жду",
    "Давайте код",
    "Так, код",
    "Теперь код",
]
# typing a secret into a form is no request to tell it to us
RU_FORM_FRAMES = [
    "Введите {o} в поле ниже на странице входа.",
    "Введите {o} в приложении.",
    "Введите текущий {o} и дважды новый.",
    "Введите {o} ещё раз на сайте.",
    "Укажите новый {o} в форме настроек.",
    "Введите {o} в банкомате.",
    "Введите {o} на странице банка.",
    "Наберите {o} в окне подтверждения.",
    "Введите старый {o}, затем новый.",
    "Введите {o} без пробелов.",
]
RU_FORM_OBJECTS = [
    "пароль",
    "код",
    "код из СМС",
    "пин-код",
    "пароль от кабинета",
    "одноразовый пароль",
    "код подтверждения",
    "новый пароль",
]
RU_USAGE = [
    "Введите код из СМС в приложении.", "Введите код подтверждения на экране входа.",
    "Код придёт в СМС через минуту.", "Мы отправили код на ваш номер, введите его на сайте.",
    "Подтвердите вход кодом из смс.", "Смените пароль в настройках профиля.",
    "Нажмите «Забыли пароль?» на странице входа.", "Пароль должен содержать не менее 8 символов.",
    "CVV указан на обороте карты, но сообщать его нельзя.", "Вы можете сбросить пароль сами.",
    "Код действует пять минут.", "Запросите новый код в приложении.",
    "Если код не пришёл, нажмите «Отправить ещё раз».", "Пин-код можно сменить в банкомате.",
    "Код из СМС вводите только на нашем сайте.", "После смены пароля войдите заново.",
    "Для входа с нового устройства понадобится код из СМС.", "СМС с кодом приходит бесплатно.",
    "Оплатить можно картой любого банка.", "Номер карты мы не храним.",
    "Подтвердите оплату кодом от банка на странице банка.", "Новый пароль придёт на почту.",
    "Код подтверждения вводится на странице оплаты.", "Пароль от кабинета можно восстановить по почте.",
    "Смс с кодом может задерживаться до пяти минут.", "Код из пуш-уведомления вводите в приложении банка.",
    "Проверьте, что ввели код без пробелов.", "Если смс не приходит, проверьте номер телефона.",
    "Карту можно привязать в профиле.", "Данные карты вводятся только на защищённой странице банка.",
    "Попробуйте ввести пароль ещё раз.", "Пароль чувствителен к регистру.",
    "Код придёт на номер, указанный в профиле.", "Код в смс одноразовый.",
    "Вы ввели неверный код, запросите новый.", "Пароль вы задаёте сами при регистрации.",
]  # fmt: skip
RU_OTHER_CODES = [
    "Назовите номер заказа", "Продиктуйте трек-номер", "Сообщите промокод", "Назовите промокод",
    "Назовите последние 4 цифры карты", "Подскажите последние четыре цифры карты",
    "Сообщите код получения сотруднику пункта выдачи", "Пришлите фото товара",
    "Напишите номер телефона", "Уточните почтовый индекс", "Назовите код ошибки",
    "Какой код ошибки на экране?", "Пришлите скриншот ошибки", "Продиктуйте номер заказа из смс",
    "Назовите артикул товара", "Какой номер заказа?", "Номер заказа подскажете?",
    "Укажите номер телефона, привязанный к аккаунту", "Напишите номер карты лояльности",
    "Назовите код пункта выдачи", "Какой у вас город?", "Номер телефона какой?",
    "Напишите, пожалуйста, адрес доставки", "Подскажите дату заказа", "Назовите сумму платежа",
    "Какой промокод вы вводили?", "Код ошибки какой?", "Промокод?", "Номер заказа?",
    "Какой трек-номер?", "Пришлите номер накладной", "Подскажите код региона",
    "Уточните, пожалуйста, имя получателя", "Опишите, что случилось с картой при оплате",
    "Какая карта у вас была привязана: Visa или Мир?", "Какой банк выпустил карту?",
    "Напишите, какая ошибка появляется при вводе кода", "Пришёл ли вам код из смс?",
    "Код из смс приходит?", "Смс с кодом пришла?", "Вы получили код?",
    "Код пришёл? Введите его в приложении", "Получилось войти с новым паролем?",
    "Пароль подошёл?", "Удалось сменить пароль?", "Смс не приходит?",
]  # fmt: skip
RU_SMALLTALK = [
    "Здравствуйте! Чем могу помочь?", "Спасибо за ожидание.", "Сейчас проверю ваш заказ.",
    "Заказ передан в доставку.", "Деньги вернутся в течение 10 дней.", "Хорошего дня!",
    "Уточняю информацию, минуту.", "Ваш вопрос передан специалисту.", "Понимаю вас.",
    "Извините за задержку.", "Всё готово, возврат оформлен.", "Подскажите, пожалуйста,",
    "Назовите, пожалуйста,", "Минуту, пожалуйста.", "Спасибо, всё верно.",
]  # fmt: skip

EN_OBJECTS = {
    "SMS_CODE": [
        "the code from the SMS", "the SMS code", "the verification code", "the one-time code",
        "the OTP", "the code we just texted you", "the 6-digit code", "the digits you got by text",
        "the code in the text message", "the confirmation code", "the code", "the passcode we sent",
        "the login code", "the digits from the message",
    ],
    "CVV": ["the CVV", "your CVV", "the CVC", "the 3 digits on the back of your card",
            "the security code on the back", "your card's CVV2"],
    "PIN": ["your PIN", "the card PIN", "your PIN code"],
    "PASSWORD": ["your password", "the password", "your account password",
                 "your login and password", "your email password"],
    "CARD": ["your full card number", "all 16 digits of your card", "your card details",
             "the card number and expiry date", "the long number on your card"],
}  # fmt: skip
EN_VERBS = [
    "Tell me", "Give me", "Send me", "Share", "Provide", "Read me", "Confirm", "Type",
    "Send", "Text me", "Paste", "Drop", "Spell out", "Repeat", "Post", "Read out",
]  # fmt: skip
EN_FRAMES = [
    "{v} {o}{s}", "Please {vl} {o}{s}", "{o}?", "And {o}?", "What's {o}?", "What is {o}?",
    "I need {o}{s}", "We need {o}{s}", "Can you {vl} {o}?", "Could you {vl} {o}?",
    "Kindly {vl} {o}{s}", "{o}, please{s}", "Now {o}{s}", "Waiting for {o}{s}",
    "Just {vl} {o}{s}", "Go ahead and {vl} {o}{s}", "What digits did you get?",
    "What did the text message say?",
]  # fmt: skip
EN_NEG = [
    "Never share {o} with anyone{s}", "We will never ask for {o}{s}", "Do not give {o} to anyone{s}",
    "Don't tell anyone {o}{s}", "If someone asks for {o}, it is a scam{s}",
    "Nobody from our team will ask for {o}{s}", "Keep {o} to yourself{s}",
    "We don't need {o}{s}", "Don't send {o} in this chat{s}",
]  # fmt: skip
EN_STATEMENTS = [
    "You can reset {o} in the settings.",
    "{O} is only for you.",
    "{O} will come by SMS.",
    "We will send {o} to your phone.",
    "Confirm the payment with {o} on the bank's page.",
    "{O} stays with you.",
    "Log in with {o}.",
    "{O} expires in five minutes.",
    "If you forgot {o}, reset it in the app.",
    "You can change {o} on the login screen.",
    "I will send {o} to your e-mail.",
    "I have sent you {o}.",
    "We just sent {o} to your phone.",
]
EN_OTHER = [
    "Please tell me your order number.", "What is your order number?", "Send me a photo of the parcel.",
    "Please enter the promo code at checkout.", "What's the tracking number?",
    "Could you confirm the last four digits of the card?", "Enter the code in the app.",
    "You will receive a one-time code by SMS.", "Reset your password from the login page.",
    "The code is valid for five minutes.", "Did the SMS arrive?", "Did you get the code?",
    "Type the code into the app, not here.", "Your password must have 8 characters.",
    "What's the error code on the screen?", "Promo code?", "Order number?",
    "Thanks for waiting.", "Your refund is on its way.", "Please tell me the name on the order.",
    "Share your tracking number and I will check.", "We'll send you a verification code by SMS.",
    "Which bank issued the card?", "Was the card charged twice?",
]  # fmt: skip
EN_SUFFIXES = ["", ".", ".", "!", " please.", " here.", " now.", " in this chat.", ", thanks."]

LOWER_VERBS = {"Tell me": "tell me", "Give me": "give me", "Send me": "send me"}


def _ru(rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for kind, objects in RU_OBJECTS.items():
        for _ in range(260):
            frame = rng.choice(RU_FRAMES)
            obj = rng.choice(objects)
            if frame.startswith("{o}") or frame.startswith("{p}{o}"):
                obj = obj[0].upper() + obj[1:]
            verb = rng.choice(RU_VERBS)
            text = frame.format(
                v=verb.lower() if frame.startswith("{o} {v}") else verb,
                o=obj,
                s=rng.choice(RU_SUFFIXES),
                p=rng.choice(RU_PREFIXES),
            )
            kind_here = "SMS_CODE" if "смс" in frame or "СМС" in frame else kind
            rows.append({"text": text, "kinds": [kind_here]})
        for _ in range(140):
            obj = rng.choice(objects)
            frame = rng.choice(RU_NEG_FRAMES)
            if frame.startswith("{o}"):
                obj = obj[0].upper() + obj[1:]
            rows.append({"text": frame.format(o=obj, s=rng.choice([".", "!", ""])), "kinds": []})
        for _ in range(40):
            obj = rng.choice(objects)
            frame = rng.choice(RU_STATEMENTS)
            rows.append({"text": frame.format(o=obj, O=obj[0].upper() + obj[1:]), "kinds": []})
    for frame in RU_FORM_FRAMES:
        rows += [{"text": frame.format(o=o), "kinds": []} for o in RU_FORM_OBJECTS]
    for frame in RU_INSTRUMENT_FRAMES:
        rows += [{"text": frame.format(i=i), "kinds": []} for i in RU_INSTRUMENTS]
    for text in RU_BARE_CODE:
        for suffix in ("", ".", "!", ", пожалуйста.", " сюда.", " мне."):
            if not (text.endswith("?") and suffix):
                rows.append({"text": text + suffix, "kinds": ["SMS_CODE"]})
    rows += [{"text": t, "kinds": []} for t in RU_USAGE * 3]
    for text in RU_OTHER_CODES:
        for suffix in ("", ".", ", пожалуйста.", "?") if not text.endswith("?") else ("",):
            rows.append({"text": text + suffix, "kinds": []})
    rows += [{"text": t, "kinds": []} for t in RU_SMALLTALK * 2]
    return rows


def _en(rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for kind, objects in EN_OBJECTS.items():
        for _ in range(120):
            frame = rng.choice(EN_FRAMES)
            verb = rng.choice(EN_VERBS)
            obj = rng.choice(objects)
            if frame.startswith("{o}"):
                obj = obj[0].upper() + obj[1:]
            text = frame.format(
                v=verb, vl=LOWER_VERBS.get(verb, verb.lower()), o=obj, s=rng.choice(EN_SUFFIXES)
            )
            kind_here = "SMS_CODE" if "digits did" in frame or "text message" in frame else kind
            rows.append({"text": text, "kinds": [kind_here]})
        for _ in range(60):
            frame = rng.choice(EN_NEG)
            rows.append({"text": frame.format(o=rng.choice(objects), s="."), "kinds": []})
        for _ in range(25):
            obj = rng.choice(objects)
            frame = rng.choice(EN_STATEMENTS)
            rows.append({"text": frame.format(o=obj, O=obj[0].upper() + obj[1:]), "kinds": []})
    rows += [{"text": t, "kinds": []} for t in EN_OTHER * 3]
    return rows


def build() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    rows = _ru(rng) + _en(rng)
    unique: dict[str, dict[str, object]] = {}
    for row in rows:
        unique.setdefault(str(row["text"]), row)
    ordered = list(unique.values())
    rng.shuffle(ordered)
    return ordered


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = build()
    with (OUT / "secret_requests.jsonl").open("w") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} examples -> {OUT / 'secret_requests.jsonl'}")


if __name__ == "__main__":
    main()
