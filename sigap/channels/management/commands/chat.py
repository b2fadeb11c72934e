from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sigap.channels.chat import Chat


class Command(BaseCommand):
    help = ("Hold a WhatsApp conversation with a running Sigap from this terminal, through "
            "the local fake of the Cloud API (docs/channels.md).")

    def add_arguments(self, parser):
        parser.add_argument("--server", default=settings.SITE_URL,
                            help="the running Sigap (default: SIGAP_SITE_URL)")
        parser.add_argument("--port", type=int, default=settings.SIGAP_CHAT_PORT,
                            help="where the fake Cloud API listens (the server sends there)")
        parser.add_argument("--phone", default="6281200000001",
                            help="the citizen's WhatsApp number, digits only")

    def handle(self, *args, server, port, phone, **options):
        secret, token = settings.SIGAP_WHATSAPP_APP_SECRET, settings.SIGAP_WHATSAPP_TOKEN
        if not (secret and token):
            raise CommandError("WhatsApp is off here: run `make chat` beside `make serve`, "
                               "which share the local settings (docs/channels.md).")
        try:
            chat = Chat(server_url=server, app_secret=secret, token=token, phone=phone,
                        port=port, out=self.stdout.write).start()
        except OSError as exc:
            raise CommandError(f"cannot listen on 127.0.0.1:{port}: {exc}") from None
        self.stdout.write(f"WhatsApp +{phone} → {server}. Type a message (try \"halo\"); "
                          "/bantuan for help, /keluar to stop.")
        try:
            while True:
                try:
                    line = input("> ")
                except EOFError:
                    break
                if not chat.say(line):
                    break
        except KeyboardInterrupt:
            pass
        finally:
            chat.stop()
