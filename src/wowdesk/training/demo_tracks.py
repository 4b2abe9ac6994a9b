"""The entry test and two tracks for the marketplace demo (data, like the demo articles).

The entry test's result picks the track: below 80 % the full basics track, from 80 % the
short track of hard customers."""

from __future__ import annotations

from typing import Any

from wowdesk.i18n import N_

LEVELS = {"novice": N_("novice"), "experienced": N_("experienced")}

ENTRY: dict[str, Any] = {
    "slug": "entry",
    "title": "Входное тестирование",
    "scenario_slug": "calm-pickup-storage",
    "pass_percent": 60.0,
    "levels": [
        {"min": 0, "level": "novice", "track": "marketplace-basics"},
        {"min": 80, "level": "experienced", "track": "marketplace-hard-customers"},
    ],
    "questions": [
        {
            "kind": "single",
            "text": "Клиент просит: «Продиктую вам код из СМС для проверки?» Что вы ответите?",
            "options": [
                "Да, продиктуйте, так быстрее",
                "Поддержка никогда не просит коды из СМС — не сообщайте его никому",
                "Переведу на старшего, пусть он спросит код",
            ],
            "answer": [1],
        },
        {
            "kind": "multiple",
            "text": "Какие признаки говорят о мошенничестве? Выберите все.",
            "options": [
                "Просьба перейти в другой мессенджер",
                "Оплата внутри приложения",
                "Предоплата на карту",
                "Срочность: «оплатите в течение 10 минут»",
            ],
            "answer": [0, 2, 3],
        },
        {
            "kind": "short",
            "text": "Сколько заказ хранится в пункте выдачи?",
            "article_slug": "31-pickup-storage",
            "expected": "7 дней",
        },
        {
            "kind": "short",
            "text": "В какой срок приходит компенсация за платные услуги после разблокировки "
            "объявления?",
            "article_slug": "22-paid-service-ad-blocked",
            "expected": "3 рабочих дней",
        },
    ],
}

QUIZZES: tuple[dict[str, Any], ...] = (
    ENTRY,
    {
        "slug": "security-quiz",
        "title": "Коды и мошенники",
        "questions": [
            {
                "kind": "short",
                "text": "Что сделать клиенту, который уже сообщил код? (кратко)",
                "article_slug": "51-never-share-codes",
                "expected": "смените пароль",
            },
            {
                "kind": "single",
                "text": "Звонивший знает имя клиента и просит код. Кто это?",
                "options": ["Сотрудник поддержки", "Мошенник"],
                "answer": [1],
            },
        ],
    },
    {
        "slug": "paid-services-quiz",
        "title": "Платные услуги",
        "questions": [
            {
                "kind": "single",
                "text": "Объявление заблокировали за запрещённый товар. Компенсируются ли "
                "платные услуги?",
                "options": ["Да, полностью", "Нет", "Да, пропорционально"],
                "answer": [1],
            },
            {
                "kind": "short",
                "text": "Как рассчитывается сумма компенсации?",
                "article_slug": "22-paid-service-ad-blocked",
                "expected": "пропорционально оставшимся дням",
            },
        ],
    },
    {
        "slug": "pickup-quiz",
        "title": "Пункты выдачи",
        "questions": [
            {
                "kind": "short",
                "text": "На сколько можно продлить хранение заказа?",
                "article_slug": "31-pickup-storage",
                "expected": "на 3 дня",
            }
        ],
    },
)

SECURITY = {
    "title": "Безопасность: коды из СМС и мошенники",
    "lessons": [
        {"kind": "article", "ref": "51-never-share-codes"},
        {"kind": "article", "ref": "53-phishing"},
        {
            "kind": "text",
            "title": "Главное правило",
            "text": "Мы никогда не просим коды из СМС, пароли, CVV и PIN. Если клиент "
            "сомневается, что пишет настоящая поддержка, — скажите это первым делом.",
        },
    ],
    "scenario": "suspicious-is-it-really-support",
    "quiz": "security-quiz",
}
PAID = {
    "title": "Платные услуги и компенсации",
    "lessons": [
        {"kind": "article", "ref": "22-paid-service-ad-blocked"},
        {
            "kind": "text",
            "title": "Разгневанный клиент",
            "text": "Сначала признайте чувства клиента («Понимаю ваше возмущение»), потом "
            "решение по статье базы знаний, затем понятный следующий шаг.",
        },
    ],
    "scenario": "angry-blocked-ad",
    "quiz": "paid-services-quiz",
}
PICKUP = {
    "title": "Доставка и пункты выдачи",
    "lessons": [{"kind": "article", "ref": "31-pickup-storage"}],
    "scenario": "calm-pickup-storage",
    "quiz": "pickup-quiz",
}

TRACKS: tuple[dict[str, Any], ...] = (
    {
        "slug": "marketplace-basics",
        "title": "Основы поддержки маркетплейса",
        "description": "Для новичков: от простых вопросов к трудным клиентам.",
        "modules": [PICKUP, PAID, SECURITY],
    },
    {
        "slug": "marketplace-hard-customers",
        "title": "Трудные клиенты",
        "description": "Для опытных: разгневанные и недоверчивые клиенты.",
        "modules": [PAID, SECURITY],
    },
)
