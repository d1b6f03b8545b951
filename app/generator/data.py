"""What the generated region is made of: names, mixes and chances (weights, not rules of the domain)."""

import bisect
import random
from collections.abc import Iterable

OCCUPATIONS = (
    ("petani", 30),
    ("pedagang", 18),
    ("buruh_harian", 15),
    ("ojek", 9),
    ("usaha_mikro", 10),
    ("nelayan", 8),
    ("pengrajin", 4),
    ("lainnya", 6),
)
MALE_NAMES = (
    "Ahmad",
    "Muhammad",
    "Rizki",
    "Budi",
    "Hendra",
    "Syahrul",
    "Fauzi",
    "Iskandar",
    "Teuku",
    "Zulkifli",
    "Andi",
    "Bambang",
    "Darwin",
    "Edi",
    "Fadli",
    "Gunawan",
    "Hasan",
    "Irwan",
    "Joko",
    "Khairul",
    "Lukman",
    "Mahmud",
    "Nasrul",
    "Rahmat",
    "Saiful",
    "Taufik",
    "Usman",
    "Wahyu",
    "Yusuf",
    "Zainal",
    "Agus",
    "Roni",
    "Sahat",
    "Parlindungan",
    "Togar",
    "Horas",
    "Benny",
    "Martin",
    "Ridwan",
    "Sulaiman",
)
FEMALE_NAMES = (
    "Siti",
    "Nur",
    "Aisyah",
    "Fatimah",
    "Cut",
    "Rahmah",
    "Dewi",
    "Sri",
    "Yanti",
    "Maya",
    "Rina",
    "Lestari",
    "Mariani",
    "Nurhayati",
    "Putri",
    "Ratna",
    "Safitri",
    "Wati",
    "Zahara",
    "Intan",
    "Rosmawati",
    "Herlina",
    "Tiurma",
    "Romauli",
    "Debora",
    "Evi",
    "Fitri",
    "Halimah",
    "Juliana",
    "Kartini",
    "Lina",
    "Mawar",
)
MIDDLE_NAMES = ("", "", "", "Nur", "Abdul", "Dwi", "Eka", "Putra", "Wati", "Sari", "Hidayat", "Rahman")
SURNAMES_ACEH = ("", "", "Ibrahim", "Yusuf", "Abdullah", "Hasballah", "Daud", "Ismail", "Harun", "Basyah")
SURNAMES_SUMUT = (
    "Siregar",
    "Nasution",
    "Lubis",
    "Harahap",
    "Simanjuntak",
    "Sitompul",
    "Ginting",
    "Tarigan",
    "Sembiring",
    "Hutagalung",
    "Pardede",
    "Sinaga",
    "Damanik",
    "Purba",
    "Manurung",
    "Panjaitan",
    "Situmorang",
    "Saragih",
    "Batubara",
    "Daulay",
    "",
    "",
    "",
    "",
)
HEIR_RELATIONS = (("istri", 30), ("suami", 20), ("anak", 30), ("orang_tua", 12), ("saudara", 8))
MOBILE_PREFIXES = (
    "811",
    "812",
    "813",
    "821",
    "822",
    "823",
    "852",
    "853",
    "851",
    "814",
    "815",
    "816",
    "855",
    "856",
    "857",
    "858",
    "817",
    "818",
    "819",
    "859",
    "877",
    "878",
    "831",
    "832",
    "838",
    "881",
    "882",
    "895",
    "896",
    "897",
    "898",
    "899",
)
STREETS = (
    "Jl. Kebun",
    "Jl. Pasar",
    "Jl. Masjid",
    "Dusun I",
    "Dusun II",
    "Dusun III",
    "Lorong Damai",
    "Jl. Sawah",
    "Jl. Pantai",
    "Jl. Lintas",
    "Jl. Sekolah",
    "Gang Mawar",
)
REJECTION_REASONS = (
    "Foto KTP tidak terbaca",
    "NIK tidak sesuai KTP",
    "Data ahli waris belum lengkap",
    "Sudah terdaftar sebagai peserta PU",
)
EVENT_KINDS = (("jemput_bola", 40), ("sosialisasi", 30), ("senam_bersama", 15), ("kemitraan", 15))
PARTNERS = (
    "Bank Sumut",
    "BRI Unit",
    "Bank Aceh Syariah",
    "Dinas Koperasi",
    "UMKM binaan Bank Indonesia",
    "Serikat Nelayan",
    "PTPN",
    "Koperasi Tani",
)
CHANNELS = (("tunai", 76), ("bank", 20), ("lainnya", 4))
# Months paid at once (mostly one: Rp16.800 in cash), and the chance a paying member lapses after a
# payment, comes back after a gap, or stops for good.
MONTHS_PAID = ((1, 930), (2, 30), (3, 25), (6, 10), (12, 5))
LAPSE_CHANCE = 0.025
QUIT_CHANCE_AT_LAPSE = 0.2
NEVER_PAYS = 0.03
VOID_CHANCE = 0.002
STATUS_MIX = (("approved", 96), ("rejected", 4))
RECENT_STATUS_MIX = (("approved", 45), ("submitted", 35), ("draft", 12), ("rejected", 8))


def cumulative(weights: Iterable[tuple[object, int]]) -> tuple[list, list[int]]:
    values, cum, total = [], [], 0
    for value, weight in weights:
        total += weight
        values.append(value)
        cum.append(total)
    return values, cum


def pick(rng: random.Random, table: tuple[list, list[int]]):
    values, cum = table
    return values[bisect.bisect_right(cum, rng.random() * cum[-1])]
