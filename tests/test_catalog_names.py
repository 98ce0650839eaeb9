"""The catalog's names are the names jedi really reports.

Each case is a snippet calling a library the way application code does, with '§' right before
the called name; catalog_harness resolves it as asyncguard's resolver does and the test checks
which catalog entry, if any, the call matches. Look-alikes (async clients, in-memory buffers,
dict.get, lazy query builders...) must match nothing.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from asyncguard.engine.catalog import builtin_entries, default_catalog
from catalog_harness import CATALOG, C, Case, check, is_async_type

# ---- the cases -----------------------------------------------------------------------------------

SLEEP = [
    C("import time\ntime.§sleep(1)", "time.sleep"),
    C("from time import sleep\n§sleep(1)", "time.sleep"),
]

HTTP = [
    C("import requests\nrequests.§get(u)", "requests.api.get"),
    C("import requests\nrequests.§post(u, json={})", "requests.api.post"),
    C("import requests\nrequests.§request('GET', u)", "requests.api.request"),
    C("import requests\ns = requests.Session()\ns.§get(u)", "requests.sessions.Session.get"),
    C(
        "import requests\ndef f(s: requests.Session):\n    s.§post(u)",
        "requests.sessions.Session.post",
    ),
    C("import requests\ns = requests.session()\ns.§send(p)", "requests.sessions.Session.send"),
    C("import httpx\nhttpx.§get(u)", "httpx._api.get"),
    C("import httpx\nhttpx.§stream('GET', u)", "httpx._api.stream"),
    C("import httpx\nc = httpx.Client()\nc.§get(u)", "httpx._client.Client.get"),
    C("import httpx\nwith httpx.Client() as c:\n    c.§post(u)", "httpx._client.Client.post"),
    C("import httpx\nc = httpx.Client()\nc.§stream('GET', u)", "httpx._client.Client.stream"),
    C("import urllib.request\nurllib.request.§urlopen(u)", "urllib.request.urlopen"),
    C("from urllib.request import urlopen\n§urlopen(u)", "urllib.request.urlopen"),
    C("import urllib.request\nurllib.request.§urlretrieve(u, 'x')", "urllib.request.urlretrieve"),
    C(
        "import urllib.request\no = urllib.request.build_opener()\no.§open(u)",
        "urllib.request.OpenerDirector.open",
    ),
    C("import urllib3\nurllib3.§request('GET', u)", "urllib3.request"),
    C(
        "import urllib3\np = urllib3.PoolManager()\np.§request('GET', u)",
        "urllib3._request_methods.RequestMethods.request",
    ),
    C(
        "import urllib3\np = urllib3.PoolManager()\np.§urlopen('GET', u)",
        "urllib3.poolmanager.PoolManager.urlopen",
    ),
    C(
        "import urllib3\np = urllib3.HTTPSConnectionPool('h')\np.§urlopen('GET', '/')",
        "urllib3.connectionpool.HTTPConnectionPool.urlopen",
    ),
    C(
        "import http.client\nc = http.client.HTTPSConnection('h')\nc.§request('GET', '/')",
        "http.client.HTTPConnection.request",
    ),
    C(
        "import http.client\nc = http.client.HTTPConnection('h')\nc.§getresponse()",
        "http.client.HTTPConnection.getresponse",
    ),
    C(
        "import http.client\nc = http.client.HTTPSConnection('h')\nc.§connect()",
        "http.client.HTTPConnection.connect",
    ),
    C(
        "import http.client\nc = http.client.HTTPConnection('h')\nr = c.getresponse()\nr.§read()",
        "http.client.HTTPResponse.read",
    ),
    # look-alikes
    C(
        """
        import httpx
        async def f():
            async with httpx.AsyncClient() as c:
                await c.§get(u)
        """,
        None,
    ),
    C("import httpx\nasync def f(c: httpx.AsyncClient):\n    await c.§post(u)", None),
    C("import requests\nr = requests.get(u)\nr.§json()", None),
    C("import requests\ns = requests.§session()", None),
    C("import requests\ns = requests.§Session()", None),
    C("import httpx\nc = httpx.Client()\nc.§build_request('GET', u)", None),
]

SUBPROCESS = [
    C("import subprocess\nsubprocess.§run(['ls'])", "subprocess.run"),
    C("import subprocess\nsubprocess.§call(['ls'])", "subprocess.call"),
    C("import subprocess\nsubprocess.§check_output(['ls'])", "subprocess.check_output"),
    C("import subprocess\nsubprocess.§getoutput('ls')", "subprocess.getoutput"),
    C("import subprocess\np = subprocess.§Popen(['ls'])", "subprocess.Popen"),
    C("from subprocess import Popen\np = §Popen(['ls'])", "subprocess.Popen"),
    C("import subprocess\np = subprocess.Popen(['ls'])\np.§wait()", "subprocess.Popen.wait"),
    C(
        "import subprocess\nwith subprocess.Popen(['ls']) as p:\n    p.§communicate()",
        "subprocess.Popen.communicate",
    ),
    C("import os\nos.§system('ls')", "os.system"),
    C("import os\nos.§popen('ls')", "os.popen"),
    C("import os\nos.§spawnlp(os.P_WAIT, 'ls', 'ls')", "os.spawn*"),
    C("import os\nos.§posix_spawn('/bin/ls', [], {})", "os.posix_spawn"),
    C("import os\nos.§waitpid(1, 0)", "os.waitpid"),
    C("import os\nos.§wait()", "os.wait"),
    # look-alike
    C("import asyncio\nasync def f():\n    await asyncio.§create_subprocess_exec('ls')", None),
]

FILE = [
    C("f = §open('x')", "builtins.open"),
    C("import io\nf = io.§open('x')", "builtins.open"),
    C("open('x').§read()", "io._TextIOBase.read"),
    C("with open('x') as f:\n    f.§read()", "io._IOBase.read"),
    C("with open('x', 'rb') as f:\n    f.§read()", "typing.IO.read"),
    C("with open('x', 'w') as f:\n    f.§write('s')", "typing.IO.write"),
    C("f = open('x')\nf.§write('s')", "io._TextIOBase.write"),
    C("with open('x') as f:\n    f.§readlines()", "io._IOBase.read"),
    C("f = open('x')\nf.§readlines()", "io._TextIOBase.read"),
    C("open('x').§readline()", "io.TextIOWrapper.read"),
    C("import io\nf = io.BufferedReader(raw)\nf.§read()", "io._BufferedIOBase.read"),
    C("import io\nf = io.FileIO('x')\nf.§read()", "io.TextIOWrapper.read"),
    C(
        "import tempfile\nf = tempfile.NamedTemporaryFile()\nf.§write(b'')",
        "tempfile._TemporaryFileWrapper.write",
    ),
    C(
        "from fastapi import UploadFile\nasync def r(file: UploadFile):\n    file.file.§read()",
        "typing.IO.read",
    ),
    C("from pathlib import Path\nPath('x').§read_text()", "pathlib.Path.read_text"),
    C("from pathlib import Path\np = Path('x')\np.§write_bytes(b'')", "pathlib.Path.write_bytes"),
    C("from pathlib import Path\n(Path('x') / 'y').§read_bytes()", "pathlib.Path.read_bytes"),
    C("from pathlib import Path\nPath('x').open().§read()", "io._TextIOBase.read"),
    C("from pathlib import Path\nPath('x').§open()", "pathlib.Path.open"),
    C("from pathlib import Path\nPath('x').§unlink()", "pathlib.Path.unlink"),
    C("from pathlib import Path\nPath('x').§iterdir()", "pathlib.Path.iterdir", "warning"),
    C("from pathlib import Path\nPath('x').§glob('*')", "pathlib.Path.glob", "warning"),
    C("from pathlib import Path\nPath('x').§walk()", "pathlib.Path.walk", "warning"),
    C("from pathlib import Path\ndef f(p: Path):\n    p.§exists()", "pathlib.Path.exists", "info"),
    C("from pathlib import Path\nPath('x').§is_dir()", "pathlib.Path.is_dir", "info"),
    C("from pathlib import Path\nPath('x').§mkdir(parents=True)", "pathlib.Path.mkdir", "info"),
    C("from pathlib import Path\nPath('x').§resolve()", "pathlib.Path.resolve", "info"),
    C("import os\nos.§remove('x')", "os.remove", "info"),
    C("import os\nos.§unlink('x')", "os.remove", "info"),
    C("import os\nos.§listdir('.')", "os.listdir", "warning"),
    C("import os\nos.§walk('.')", "os.walk", "warning"),
    C("import os\nos.§stat('x')", "os.stat", "info"),
    C("import os\nos.path.§exists('x')", "os.path.exists", "info"),
    C("from os.path import exists\n§exists('x')", "os.path.exists", "info"),
    C("from os import path\npath.§isdir('x')", "os.path.isdir", "info"),
    C("import os\nos.path.§getsize('x')", "os.path.getsize", "info"),
    C("import os\nos.path.§realpath('x')", "os.path.realpath", "info"),
    C("import os\nos.§makedirs('x', exist_ok=True)", "os.makedirs", "info"),
    C("import os\nos.§access('x', os.R_OK)", "os.access", "info"),
    C("import shutil\nshutil.§copy('a', 'b')", "shutil.copy"),
    C("import shutil\nshutil.§rmtree('x')", "shutil.rmtree"),
    C("import shutil\nshutil.§disk_usage('/')", "shutil.disk_usage"),
    C("import glob\nglob.§glob('*.py')", "glob.glob"),
    C("import gzip\ngzip.§open('x.gz')", "gzip.open"),
    C("import zipfile\nz = zipfile.§ZipFile('x.zip')", "zipfile.ZipFile"),
    C(
        "import zipfile\nwith zipfile.ZipFile('x') as z:\n    z.§extractall('d')",
        "zipfile.ZipFile.extractall",
    ),
    C("import tarfile\nt = tarfile.§open('x.tar')", "tarfile.open"),
    C(
        "import tarfile\nwith tarfile.open('x') as t:\n    t.§extractall('d')",
        "tarfile.TarFile.extractall",
    ),
    C("import tempfile\ntempfile.§NamedTemporaryFile()", "tempfile.NamedTemporaryFile"),
    C("import tempfile\ntempfile.§mkstemp()", "tempfile.mkstemp"),
    C("import tempfile\ntempfile.§TemporaryDirectory()", "tempfile.TemporaryDirectory"),
    # look-alikes: in-memory buffers share the stub definitions of file methods
    C("import io\nio.StringIO().§read()", None),
    C("import io\nio.BytesIO().§write(b'')", None),
    C("import io\nbuf = io.StringIO()\nbuf.§write('')", None),
    C("import io\nbuf = io.BytesIO(b'')\nbuf.§read()", None),
    C("import io\nbuf = io.BytesIO(b'')\nbuf.§readlines()", None),
    C("import io\nbuf = io.BytesIO()\nbuf.§writelines([])", None),
    C("import io\nbuf = io.StringIO()\nbuf.§readline()", None),
    C("import io\nbuf = io.BytesIO()\nbuf.§getvalue()", None),
    C("import os\nos.path.§join('a', 'b')", None),
    C("import os\nos.path.§basename('a')", None),
    C("import os\nos.path.§dirname('a')", None),
    C("import os\nos.path.§splitext('a')", None),
    C("import os\nos.path.§abspath('a')", None),
    C("from pathlib import Path\nPath('x').§with_suffix('.y')", None),
    C("from pathlib import Path\nPath('x').§joinpath('y')", None),
    C("from pathlib import Path\nPath('x').§parent", None),
    C("from pathlib import PurePath\nPurePath('x').§name", None),
    C("import os\nos.§getenv('X')", None),
    C("import os\nos.environ.§get('X')", None),
    C("import json\njson.§loads('{}')", None),
    C("import json\njson.§dumps({})", None),
    C("import aiofiles\naiofiles.§open('x')", None),
    C(
        """
        import aiofiles
        async def f():
            async with aiofiles.open('x') as f:
                await f.§read()
        """,
        None,
    ),
    C("import anyio\nasync def f():\n    await anyio.Path('x').§read_text()", None),
    C(
        "from fastapi import UploadFile\nasync def r(file: UploadFile):\n    await file.§read()",
        None,
    ),
]

NETWORK = [
    C("import socket\nsocket.§create_connection(('h', 1))", "socket.create_connection"),
    C("import socket\ns = socket.socket()\ns.§connect(('h', 1))", "socket.socket.connect"),
    C(
        "import socket\ns = socket.create_connection(('h', 1))\ns.§sendall(b'')",
        "socket.socket.send",
    ),
    C("import socket\nwith socket.socket() as s:\n    s.§recv(1024)", "socket.socket.recv"),
    C("import socket\ns = socket.socket()\ns.§accept()", "socket.socket.accept"),
    C("import socket\nsocket.§getaddrinfo('h', 80)", "socket.getaddrinfo"),
    C("import socket\nsocket.§gethostbyname('h')", "socket.gethostbyname"),
    C("import socket\nsocket.§getfqdn()", "socket.getfqdn"),
    C(
        "import socket, ssl\nctx = ssl.create_default_context()\n"
        "s = ctx.wrap_socket(socket.socket())\ns.§do_handshake()",
        "ssl.SSLSocket.do_handshake",
    ),
    C(
        "import socket, ssl\nctx = ssl.create_default_context()\n"
        "s = ctx.wrap_socket(socket.socket())\ns.§recv(1)",
        "ssl.SSLSocket.read",
    ),
    C("import smtplib\ns = smtplib.§SMTP('h')", "smtplib.SMTP"),
    C(
        "import smtplib\nwith smtplib.SMTP('h') as s:\n    s.§send_message(m)",
        "smtplib.SMTP.send_message",
    ),
    C("import smtplib\ns = smtplib.SMTP_SSL('h')\ns.§login('a', 'b')", "smtplib.SMTP.login"),
    C("import ftplib\nf = ftplib.§FTP('h')", "ftplib.FTP"),
    C(
        "import ftplib\nf = ftplib.FTP_TLS('h')\nf.§storbinary('STOR x', fp)",
        "ftplib.FTP.storbinary",
    ),
    C("import imaplib\nm = imaplib.§IMAP4_SSL('h')", "imaplib.IMAP4"),
    C(
        "import imaplib\nm = imaplib.IMAP4_SSL('h')\nm.§fetch('1', '(RFC822)')",
        "imaplib.IMAP4.fetch",
    ),
    C("import poplib\np = poplib.POP3_SSL('h')\np.§retr(1)", "poplib.POP3.retr"),
    C(
        "from django.core.mail import send_mail\n§send_mail('s', 'm', 'f', ['t'])",
        "django.core.mail.send_mail",
    ),
    # look-alikes
    C("import socket\nsocket.§gethostname()", None),
    C("import asyncio\nasync def f():\n    await asyncio.§open_connection('h', 1)", None),
]

DATABASE = [
    C("import sqlite3\nc = sqlite3.§connect('x')", "sqlite3.connect"),
    C(
        "import sqlite3\nc = sqlite3.connect('x')\nc.§execute('select 1')",
        "sqlite3.Connection.execute",
    ),
    C(
        "import sqlite3\nwith sqlite3.connect('x') as c:\n    c.§commit()",
        "sqlite3.Connection.commit",
    ),
    C(
        "import sqlite3\nc = sqlite3.connect('x')\ncur = c.cursor()\ncur.§execute('x')",
        "sqlite3.Cursor.execute",
    ),
    C(
        "import sqlite3\nc = sqlite3.connect('x')\nc.execute('x').§fetchall()",
        "sqlite3.Cursor.fetchone",
    ),
    C(
        "import sqlite3\ndef f(c: sqlite3.Connection):\n    c.§cursor()",
        "sqlite3.Connection.cursor",
        "info",
    ),
    C("import psycopg2\nc = psycopg2.§connect('dsn')", "psycopg2.connect"),
    C(
        "import psycopg2.extensions\ndef f(cur: psycopg2.extensions.cursor):\n    cur.§execute('x')",
        "psycopg2.extensions.cursor.execute",
    ),
    C(
        "import psycopg2.extensions\ndef f(conn: psycopg2.extensions.connection):\n    conn.§commit()",
        "psycopg2.extensions.connection.commit",
    ),
    C(
        "import psycopg2.extras\ndef f(cur: psycopg2.extras.RealDictCursor):\n    cur.§fetchall()",
        "psycopg2.extensions.cursor.fetchone",
    ),
    C(
        "import psycopg2.extras\npsycopg2.extras.§execute_values(cur, 'x', [])",
        "psycopg2.extras.execute_values",
    ),
    C("import psycopg\nc = psycopg.§connect('dsn')", "psycopg.connect"),
    C(
        "import psycopg\nwith psycopg.connect('dsn') as c:\n    c.§execute('x')",
        "psycopg.connection.Connection.execute",
    ),
    C(
        "import psycopg\nwith psycopg.connect('dsn') as c:\n    with c.cursor() as cur:\n"
        "        cur.§fetchone()",
        "psycopg.cursor.Cursor.fetchone",
    ),
    C(
        "import psycopg\ndef f(cur: psycopg.ServerCursor):\n    cur.§fetchmany(3)",
        "psycopg.cursor.Cursor.fetchone",
    ),
    C("import pymysql\nc = pymysql.§connect(host='h')", "pymysql.connect"),
    C(
        "import pymysql\nc = pymysql.connect(host='h')\nwith c.cursor() as cur:\n    cur.§execute('x')",
        "pymysql.cursors.Cursor.execute",
    ),
    C(
        "import pymysql\nc = pymysql.connect(host='h')\nc.§commit()",
        "pymysql.connections.Connection.commit",
    ),
    C(
        "import pymysql\ndef f(cur: pymysql.cursors.SSCursor):\n    cur.§fetchone()",
        "pymysql.cursors.SSCursor.fetchone",
    ),
    C(
        "import pymongo\nc = pymongo.§MongoClient('mongodb://h')",
        "pymongo.synchronous.mongo_client.MongoClient",
    ),
    C(
        "import pymongo\nc = pymongo.MongoClient('x')\nc.db.users.§find_one({})",
        "pymongo.synchronous.collection.Collection.find_one",
    ),
    C(
        "from pymongo.collection import Collection\ndef f(coll: Collection):\n    coll.§insert_many([])",
        "pymongo.synchronous.collection.Collection.insert_many",
    ),
    C(
        "from pymongo.collection import Collection\ndef f(coll: Collection):\n"
        "    coll.§find_one_and_update({}, {})",
        "pymongo.synchronous.collection.Collection.find_one_and_*",
    ),
    C(
        "from pymongo.database import Database\ndef f(db: Database):\n    db.§command('ping')",
        "pymongo.synchronous.database.Database.command",
    ),
    C("import redis\nr = redis.Redis()\nr.§get('k')", "redis.commands.core.*Commands.*"),
    C("import redis\nr = redis.from_url('x')\nr.§hgetall('k')", "redis.commands.core.*Commands.*"),
    C("import redis\nr = redis.StrictRedis()\nr.§lpush('k', 1)", "redis.commands.core.*Commands.*"),
    C("import redis\ndef f(r: redis.Redis):\n    r.§incr('k')", "redis.commands.core.*Commands.*"),
    C(
        "from redis.cluster import RedisCluster\nr = RedisCluster()\nr.§get('k')",
        "redis.commands.core.*Commands.*",
    ),
    C(
        "import redis\nr = redis.Redis()\np = r.pipeline()\np.§execute()",
        "redis.client.Pipeline.execute",
    ),
    C(
        "import redis\nr = redis.Redis()\nps = r.pubsub()\nps.§get_message()",
        "redis.client.PubSub.get_message",
    ),
    C(
        "import redis\nr = redis.Redis()\nr.json().§get('k')",
        "redis.commands.json.commands.JSONCommands.*",
    ),
    C(
        "from sqlalchemy.orm import Session\ndef f(db: Session):\n    db.§execute(q)",
        "sqlalchemy.orm.session.Session.execute",
    ),
    C(
        "from sqlalchemy.orm import Session\ndef f(db: Session):\n    db.§scalars(q)",
        "sqlalchemy.orm.session.Session.scalars",
    ),
    C(
        "from sqlalchemy.orm import Session\ndef f(db: Session):\n    db.§get(User, 1)",
        "sqlalchemy.orm.session.Session.get",
    ),
    C(
        "from sqlalchemy.orm import Session\nwith Session(engine) as s:\n    s.§commit()",
        "sqlalchemy.orm.session.Session.commit",
    ),
    C(
        """
        from typing import Annotated
        from fastapi import Depends
        from sqlalchemy.orm import Session
        async def route(db: Annotated[Session, Depends(get_db)]):
            db.§execute(q)
        """,
        "sqlalchemy.orm.session.Session.execute",
    ),
    C(
        "from sqlalchemy.orm import Session\ndef f(db: Session):\n    db.query(User).§all()",
        "sqlalchemy.orm.query.Query.all",
    ),
    C(
        "from sqlalchemy.orm import Session\ndef f(db: Session):\n"
        "    db.query(User).filter(User.id == 1).§first()",
        "sqlalchemy.orm.query.Query.first",
    ),
    C(
        "from sqlalchemy.orm import Session\ndef f(db: Session):\n    db.query(User).§count()",
        "sqlalchemy.orm.query.Query.count",
    ),
    C(
        "from sqlalchemy.orm import scoped_session, sessionmaker\n"
        "S = scoped_session(sessionmaker())\nS.§execute(q)",
        "sqlalchemy.orm.session.Session.execute",
    ),
    C(
        "from sqlalchemy import create_engine\ne = create_engine('x')\ne.§connect()",
        "sqlalchemy.engine.base.Engine.connect",
    ),
    C(
        "from sqlalchemy import create_engine\ne = create_engine('x')\nwith e.begin() as c:\n"
        "    c.§execute(q)",
        "sqlalchemy.engine.base.Connection.execute",
    ),
    C(
        "from sqlalchemy import MetaData\nm = MetaData()\nm.§create_all(e)",
        "sqlalchemy.sql.schema.MetaData.create_all",
    ),
    C(
        "from sqlmodel import Session, select\ndef f(db: Session):\n    db.§exec(select(User))",
        "sqlmodel.orm.session.Session.exec",
    ),
    C(
        "from sqlmodel import Session\ndef f(db: Session):\n    db.§commit()",
        "sqlalchemy.orm.session.Session.commit",
    ),
    C(
        "from django.contrib.auth.models import User\nUser.objects.§get(id=1)",
        "django.db.models.query.QuerySet.get",
    ),
    C(
        "from django.contrib.auth.models import User\nUser.objects.filter(id=1).§first()",
        "django.db.models.query.QuerySet.first",
    ),
    # Lazy builders match entries that apply only where the result is iterated (tests/test_loop.py).
    C(
        "from django.contrib.auth.models import User\nUser.objects.§filter(id=1)",
        "django.db.models.query.QuerySet.filter",
    ),
    C(
        "from django.contrib.auth.models import User\nUser.objects.§all()",
        "django.db.models.query.QuerySet.all",
    ),
    C(
        "from django.contrib.auth.models import User\nUser.objects.§create(username='x')",
        "django.db.models.query.QuerySet.create",
    ),
    C(
        "from django.contrib.auth.models import User\nUser.objects.§contains(u)",
        "django.db.models.query.QuerySet.contains",
    ),
    C(
        "from django.db.models import QuerySet\ndef f(qs: QuerySet):\n    qs.§count()",
        "django.db.models.query.QuerySet.count",
    ),
    C(
        """
        from django.db import models
        class Item(models.Model):
            name = models.CharField(max_length=10)
        Item.objects.filter(name='x').§update(name='y')
        """,
        "django.db.models.query.QuerySet.update",
    ),
    C(
        """
        from django.db import models
        class Item(models.Model):
            name = models.CharField(max_length=10)
        item = Item(name='x')
        item.§save()
        """,
        "django.db.models.base.Model.save",
    ),
    C(
        "from django.contrib.auth.models import User\nu = User()\nu.§refresh_from_db()",
        "django.db.models.base.Model.refresh_from_db",
    ),
    C(
        "from django.shortcuts import get_object_or_404\n§get_object_or_404(Item, id=1)",
        "django.shortcuts.get_object_or_404",
    ),
    C(
        "from django.db.backends.utils import CursorWrapper\ndef f(c: CursorWrapper):\n    c.§execute('x')",
        "django.db.backends.utils.CursorWrapper.execute",
    ),
    C(
        "from django.db.backends.utils import CursorWrapper\ndef f(c: CursorWrapper):\n    c.§fetchall()",
        "django.db.backends.utils.CursorWrapper.fetchone",
    ),
    # look-alikes
    C("import redis\nr = redis.Redis()\np = r.pipeline()\np.§get('k')", None),
    C("import redis\nr = redis.Redis()\nr.§pipeline()", None),
    C("import redis\nr = redis.Redis()\nr.§register_script('x')", None),
    C("import redis\nr = redis.Redis()\nr.§json()", None),
    C(
        "import redis.asyncio as aioredis\nasync def f():\n    r = aioredis.Redis()\n    await r.§get('k')",
        None,
    ),
    C(
        "import redis.asyncio\nasync def f():\n    r = redis.asyncio.from_url('x')\n    await r.§set('k', 1)",
        None,
    ),
    C(
        "import redis.asyncio\nasync def f():\n    r = redis.asyncio.Redis()\n    await r.json().§get('k')",
        None,
    ),
    C(
        "from sqlalchemy.ext.asyncio import AsyncSession\nasync def f(db: AsyncSession):\n"
        "    await db.§execute(q)",
        None,
    ),
    C(
        "from sqlalchemy.ext.asyncio import AsyncSession\nasync def f(db: AsyncSession):\n"
        "    await db.§commit()",
        None,
    ),
    C(
        "from sqlalchemy.ext.asyncio import AsyncSession\nasync def f(db: AsyncSession):\n"
        "    await db.§get(User, 1)",
        None,
    ),
    C(
        """
        from sqlalchemy.ext.asyncio import create_async_engine
        async def f():
            e = create_async_engine('x')
            async with e.connect() as c:
                await c.§execute(q)
        """,
        None,
    ),
    C(
        "from sqlmodel.ext.asyncio.session import AsyncSession\nasync def f(db: AsyncSession):\n"
        "    await db.§exec(q)",
        None,
    ),
    C("from sqlalchemy.orm import Session\ndef f(db: Session):\n    db.§query(User)", None),
    C(
        "from sqlalchemy.orm import Session\ndef f(db: Session):\n    db.query(User).§filter(User.id == 1)",
        None,
    ),
    C("from sqlalchemy.orm import Session\ndef f(db: Session):\n    db.§add(obj)", None),
    C(
        "from sqlalchemy.orm import Session\ndef f(db: Session):\n    db.execute(q).scalars().§all()",
        None,
    ),
    C(
        "import psycopg\nasync def f():\n    c = await psycopg.AsyncConnection.connect('x')\n"
        "    await c.§execute('x')",
        None,
    ),
    C(
        "import psycopg\nasync def f():\n    c = await psycopg.AsyncConnection.connect('x')\n"
        "    await c.cursor().§fetchall()",
        None,
    ),
    C(
        "from pymongo import AsyncMongoClient\nasync def f():\n    c = AsyncMongoClient('x')\n"
        "    await c.db.u.§find_one({})",
        None,
    ),
    C(
        "from django.contrib.auth.models import User\nasync def f():\n    await User.objects.§aget(id=1)",
        None,
    ),
    C(
        "from django.db.models import QuerySet\nasync def f(qs: QuerySet):\n    await qs.§aget()",
        None,
    ),
]

CLOUD = [
    C(
        "import boto3\ns3 = boto3.client('s3')\ns3.§put_object(Bucket='b', Key='k')",
        "botocore.client.BaseClient.*",
    ),
    C(
        "import boto3\ns3 = boto3.client('s3')\ns3.§upload_file('a', 'b', 'c')",
        "botocore.client.BaseClient.*",
    ),
    C(
        "import boto3\ns = boto3.session.Session()\nc = s.client('dynamodb')\nc.§get_item()",
        "botocore.client.BaseClient.*",
    ),
    C(
        "from boto3.s3.transfer import S3Transfer\nt = S3Transfer(c)\nt.§upload_file('a', 'b', 'c')",
        "boto3.s3.transfer.S3Transfer.upload_file",
    ),
    C(
        "import boto3\ns3 = boto3.client('s3')\nw = s3.get_waiter('x')\nw.§wait()",
        "botocore.waiter.Waiter.wait",
    ),
    C("import boto3\nboto3.§client('s3')", "boto3.client", "info"),
    # look-alikes
    C("import boto3\ns3 = boto3.client('s3')\ns3.§generate_presigned_url('get_object')", None),
    C("import boto3\ns3 = boto3.client('s3')\ns3.§get_paginator('list_objects_v2')", None),
    C("import boto3\ns3 = boto3.client('s3')\ns3.§can_paginate('x')", None),
    C("import boto3\ns3 = boto3.client('s3')\ns3.§close()", None),
]

WAIT = [
    C("import threading\nl = threading.Lock()\nl.§acquire()", "_thread.LockType.acquire"),
    C("import threading\nl = threading.RLock()\nl.§acquire()", "_thread.RLock.acquire"),
    C("import threading\ne = threading.Event()\ne.§wait()", "threading.Event.wait"),
    C(
        "import threading\nc = threading.Condition()\nc.§wait_for(pred)",
        "threading.Condition.wait_for",
    ),
    C(
        "import threading\ns = threading.BoundedSemaphore()\ns.§acquire()",
        "threading.Semaphore.acquire",
    ),
    C("import threading\nb = threading.Barrier(2)\nb.§wait()", "threading.Barrier.wait"),
    C("import threading\nt = threading.Thread(target=f)\nt.§join()", "threading.Thread.join"),
    C(
        "import threading\nclass W(threading.Thread):\n    pass\nw = W()\nw.§join()",
        "threading.Thread.join",
    ),
    C("import queue\nq = queue.Queue()\nq.§get()", "queue.Queue.get"),
    C("import queue\nq = queue.PriorityQueue()\nq.§put(1)", "queue.Queue.put"),
    C("import queue\nq = queue.Queue()\nq.§join()", "queue.Queue.join"),
    C("import queue\nq = queue.SimpleQueue()\nq.§get()", "_queue.SimpleQueue.get"),
    C(
        "import multiprocessing\np = multiprocessing.Pool()\np.§map(f, [])",
        "multiprocessing.pool.Pool.map",
    ),
    C(
        "from multiprocessing.pool import ThreadPool\np = ThreadPool()\np.§map(f, [])",
        "multiprocessing.pool.Pool.map",
    ),
    C(
        "import multiprocessing\np = multiprocessing.Pool()\nr = p.apply_async(f)\nr.§get()",
        "multiprocessing.pool.ApplyResult.get",
    ),
    C(
        "import multiprocessing\np = multiprocessing.Process(target=f)\np.§join()",
        "multiprocessing.process.BaseProcess.join",
    ),
    C(
        "import multiprocessing\nq = multiprocessing.Queue()\nq.§get()",
        "multiprocessing.queues.Queue.get",
    ),
    C(
        "from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\n"
        "fut = ex.submit(f)\nfut.§result()",
        "concurrent.futures._base.Future.result",
    ),
    C(
        "import asyncio\nfut = asyncio.run_coroutine_threadsafe(coro(), loop)\nfut.§result()",
        "concurrent.futures._base.Future.result",
    ),
    C("import concurrent.futures\nconcurrent.futures.§wait(fs)", "concurrent.futures._base.wait"),
    C(
        "from concurrent.futures import as_completed\n§as_completed(fs)",
        "concurrent.futures._base.as_completed",
    ),
    C(
        "from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nex.§shutdown()",
        "concurrent.futures.*Executor.shutdown",
    ),
    # look-alikes
    C("import queue\nq = queue.Queue()\nq.§get_nowait()", None),
    C("import queue\nq = queue.Queue()\nq.§put_nowait(1)", None),
    C("import asyncio\nq = asyncio.Queue()\nasync def f():\n    await q.§get()", None),
    C("import asyncio\nasync def f():\n    l = asyncio.Lock()\n    await l.§acquire()", None),
    C("import asyncio\nasync def f():\n    e = asyncio.Event()\n    await e.§wait()", None),
    C("import asyncio\nasync def f():\n    t = asyncio.create_task(coro())\n    t.§result()", None),
    C("import threading\ne = threading.Event()\ne.§set()", None),
    C("import threading\nt = threading.Thread(target=f)\nt.§start()", None),
    C(
        "from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nex.§submit(f)",
        None,
    ),
]

INPUT = [
    C("§input('name? ')", "builtins.input"),
    C("import getpass\ngetpass.§getpass()", "getpass.getpass"),
    C("§breakpoint()", "builtins.breakpoint"),
    C("import pdb\npdb.§set_trace()", "builtins.breakpoint"),
]

CPU = [
    C("import bcrypt\nbcrypt.§hashpw(b'pw', bcrypt.gensalt())", "bcrypt.hashpw"),
    C("import bcrypt\nbcrypt.§checkpw(b'pw', hashed)", "bcrypt.checkpw"),
    C("import hashlib\nhashlib.§pbkdf2_hmac('sha256', b'', b'', 600000)", "_hashlib.pbkdf2_hmac"),
    C("import hashlib\nhashlib.§scrypt(b'', salt=b'', n=2, r=8, p=1)", "_hashlib.scrypt"),
    C(
        "from passlib.context import CryptContext\nctx = CryptContext(schemes=['bcrypt'])\nctx.§hash('pw')",
        "passlib.context.CryptContext.hash",
    ),
    C(
        "from passlib.context import CryptContext\nctx = CryptContext(schemes=['bcrypt'])\n"
        "ctx.§verify('pw', h)",
        "passlib.context.CryptContext.verify",
    ),
    C(
        "from passlib.handlers.bcrypt import bcrypt\nbcrypt.§hash('pw')",
        "passlib.ifc.PasswordHash.hash",
    ),
    C(
        "from django.contrib.auth.hashers import make_password\n§make_password('pw')",
        "django.contrib.auth.hashers.make_password",
    ),
    C(
        "from django.contrib.auth.models import User\nu = User()\nu.§check_password('pw')",
        "django.contrib.auth.hashers.check_password",
    ),
    # look-alikes
    C("import hashlib\nhashlib.§sha256(b'')", None),
    C("import bcrypt\nbcrypt.§gensalt()", None),
    C(
        "from passlib.context import CryptContext\nctx = CryptContext(schemes=['bcrypt'])\n"
        "ctx.§needs_update(h)",
        None,
    ),
]

GENERAL_LOOKALIKES = [
    C("import asyncio\nasync def f():\n    await asyncio.§sleep(1)", None),
    C("import time\ntime.§time()", None),
    C("import time\ntime.§monotonic()", None),
    C("import uuid\nuuid.§uuid4()", None),
    C("import datetime\ndatetime.datetime.§now()", None),
    C("import logging\nlogging.§info('x')", None),
    C("import logging\nlogging.getLogger(__name__).§info('x')", None),
    C("d = {}\nd.§get('k')", None),
    C(
        """
        class Repo:
            def get(self, key): ...
            def execute(self, query): ...
            def read(self): ...
        repo = Repo()
        repo.§get(1)
        """,
        None,
    ),
    C(
        """
        class Repo:
            def get(self, key): ...
            def execute(self, query): ...
            def read(self): ...
        repo = Repo()
        repo.§execute('q')
        """,
        None,
    ),
    C(
        """
        class Repo:
            def get(self, key): ...
            def execute(self, query): ...
            def read(self): ...
        repo = Repo()
        repo.§read()
        """,
        None,
    ),
]

OPTIONAL = [
    # Not installed in the usual test venv: skipped unless present.
    C("import MySQLdb\nc = MySQLdb.§connect(host='h')", "MySQLdb.connect"),
    C(
        "from argon2 import PasswordHasher\nph = PasswordHasher()\nph.§hash('pw')",
        "argon2._password_hasher.PasswordHasher.hash",
    ),
    C(
        "import motor.motor_asyncio\nc = motor.motor_asyncio.AsyncIOMotorClient()\n"
        "async def f():\n    await c.db.u.§find_one({})",
        None,
    ),
    C(
        "import asyncpg\nasync def f():\n    c = await asyncpg.connect()\n    await c.§fetch('x')",
        None,
    ),
]

SDKS = [
    C(
        "from openai import OpenAI\nc = OpenAI()\nc.chat.completions.§create(model='m', messages=[])",
        "openai.resources.*",
    ),
    C(
        "from openai import OpenAI\nc = OpenAI()\nc.embeddings.§create(model='m', input='x')",
        "openai.resources.*",
    ),
    C(
        "from openai import AsyncOpenAI\nc = AsyncOpenAI()\n"
        "c.chat.completions.§create(model='m', messages=[])",
        None,
    ),
    C(
        "import anthropic\nc = anthropic.Anthropic()\n"
        "c.messages.§create(model='m', max_tokens=1, messages=[])",
        "anthropic.resources.*",
    ),
    C(
        "import anthropic\nc = anthropic.AsyncAnthropic()\n"
        "c.messages.§create(model='m', max_tokens=1, messages=[])",
        None,
    ),
    C(
        "from elasticsearch import Elasticsearch\nes = Elasticsearch('http://x')\nes.§search(index='i')",
        "elasticsearch._sync.client.Elasticsearch.*",
    ),
    C(
        "from elasticsearch import Elasticsearch\nes = Elasticsearch('http://x')\nes.indices.§create(index='i')",
        "elasticsearch._sync.client.Elasticsearch.*",
    ),
    C(
        "from elasticsearch import Elasticsearch\nes = Elasticsearch('http://x')\nes.§options(request_timeout=3)",
        None,
    ),
    C(
        "from elasticsearch import AsyncElasticsearch\nes = AsyncElasticsearch('http://x')\nes.§search(index='i')",
        None,
    ),
    C(
        "from elasticsearch import Elasticsearch, helpers\nes = Elasticsearch('http://x')\n"
        "helpers.§bulk(es, [])",
        "elasticsearch.helpers.actions.bulk",
    ),
    C(
        "from celery.result import AsyncResult\nr = AsyncResult('id')\nr.§get(timeout=3)",
        "celery.result.AsyncResult.get",
    ),
]

ALL_CASES = (
    SLEEP
    + HTTP
    + SUBPROCESS
    + FILE
    + NETWORK
    + DATABASE
    + CLOUD
    + WAIT
    + INPUT
    + CPU
    + SDKS
    + GENERAL_LOOKALIKES
    + OPTIONAL
)


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.label for case in ALL_CASES])
def test_call_resolves_to_entry(case: Case, snippet_dir: Path) -> None:
    check(case, snippet_dir)


# Names the module's import table sees without jedi ('import sys' ... 'sys.stdin.read()').
DOTTED = [
    ("requests.get", "requests.api.get"),
    ("requests.Session.post", "requests.sessions.Session.post"),
    ("httpx.post", "httpx._api.post"),
    ("httpx.Client.get", "httpx._client.Client.get"),
    ("io.open", "builtins.open"),
    ("hashlib.pbkdf2_hmac", "_hashlib.pbkdf2_hmac"),
    ("concurrent.futures.wait", "concurrent.futures._base.wait"),
    ("pymongo.MongoClient", "pymongo.synchronous.mongo_client.MongoClient"),
    (
        "pymongo.collection.Collection.find_one",
        "pymongo.synchronous.collection.Collection.find_one",
    ),
    ("sys.stdin.read", "sys.stdin.read"),
    ("sys.stdin.readline", "sys.stdin.read"),
    ("passlib.hash.bcrypt.hash", "passlib.ifc.PasswordHash.hash"),
    ("passlib.hash.pbkdf2_sha256.verify", "passlib.ifc.PasswordHash.verify"),
    ("MySQLdb.connect", "MySQLdb.connect"),
    ("MySQLdb.Connect", "MySQLdb.connect"),
    ("argon2.PasswordHasher.hash", "argon2._password_hasher.PasswordHasher.hash"),
    ("argon2.PasswordHasher.verify", "argon2._password_hasher.PasswordHasher.verify"),
    ("os.spawnv", "os.spawn*"),
    ("psycopg2.pool.ThreadedConnectionPool.getconn", "psycopg2.pool.*ConnectionPool.getconn"),
    (
        "sqlalchemy.engine.reflection.Inspector.get_table_names",
        "sqlalchemy.engine.reflection.Inspector.get_*",
    ),
    ("django.db.models.manager.BaseManager.get", "django.db.models.query.QuerySet.get"),
    ("botocore.client.BaseClient.list_objects_v2", "botocore.client.BaseClient.*"),
]

DOTTED_LOOKALIKES = [
    "asyncio.sleep",
    "asyncio.tasks.sleep",
    "json.loads",
    "json.dumps",
    "json.load",
    "os.path.join",
    "os.path.abspath",
    "os.getenv",
    "time.time",
    "uuid.uuid4",
    "logging.info",
    "builtins.dict.get",
    "io.StringIO.read",
    "io.BytesIO.write",
    "io.BytesIO.readlines",
    "requests.sessions.session",
    "requests.sessions.Session",
    "httpx._client.AsyncClient.get",
    "sqlalchemy.ext.asyncio.session.AsyncSession.execute",
    "sqlalchemy.orm.session.Session.add",
    "sqlalchemy.orm.session.Session.query",
    "django.db.models.query.QuerySet.aget",
    "django.db.models.query.QuerySet.afirst",
    "queue.Queue.get_nowait",
    "_asyncio.Future.result",
    "passlib.hash.bcrypt.using",
    # names starting with '_' never match a wildcard entry
    "botocore.client.BaseClient._make_api_call",
    "botocore.client.BaseClient.generate_presigned_url",
    "botocore.client.BaseClient.get_paginator",
]


@pytest.mark.parametrize(("dotted", "expected"), DOTTED)
def test_public_name_matches(dotted: str, expected: str) -> None:
    match = CATALOG.match(dotted)
    assert match is not None
    assert match.entry.name == expected


@pytest.mark.parametrize("dotted", DOTTED_LOOKALIKES)
def test_lookalike_name_does_not_match(dotted: str) -> None:
    match = CATALOG.match(dotted)
    assert match is None, f"{dotted!r} matched {match.entry.name!r}"


# ---- the catalog as a whole ----------------------------------------------------------------------


def test_catalog_size_and_text() -> None:
    entries = builtin_entries()
    assert len(entries) >= 150
    for entry in entries:
        assert entry.reason.strip(), entry.name
        assert entry.alternative.strip(), entry.name
        assert "\n" not in entry.reason and "\n" not in entry.alternative, entry.name


def test_every_category_is_covered() -> None:
    counts = Counter(entry.category for entry in builtin_entries())
    for category in (
        "sleep",
        "http",
        "subprocess",
        "file",
        "network",
        "database",
        "cloud",
        "wait",
        "input",
        "cpu",
    ):
        assert counts[category] >= 1, category


def test_names_are_unique() -> None:
    seen: dict[str, str] = {}
    for entry in builtin_entries():
        for name in (entry.name, *entry.aliases):
            assert name not in seen, f"{name!r} is listed by {seen[name]!r} and {entry.name!r}"
            seen[name] = entry.name


def test_exclude_only_on_wildcard_entries() -> None:
    for entry in builtin_entries():
        if entry.exclude:
            assert entry.is_pattern, entry.name


def test_cpu_entries_are_off_by_default() -> None:
    assert default_catalog().match("bcrypt.hashpw") is None
    assert default_catalog(cpu_heavy=True).match("bcrypt.hashpw") is not None


def test_sqlite_objects_are_thread_bound() -> None:
    for name in (
        "sqlite3.connect",
        "sqlite3.Connection.cursor",
        "sqlite3.Connection.execute",
        "sqlite3.Cursor.execute",
    ):
        match = CATALOG.match(name)
        assert match is not None and match.entry.thread_bound, name


def test_django_entries_explain_the_async_rules() -> None:
    django_db = [e for e in builtin_entries() if e.category == "database" and e.name.startswith("django.")]
    assert django_db
    for entry in django_db:
        assert "SynchronousOnlyOperation" in entry.reason, entry.name
        assert "sync_to_async" in entry.alternative or "await" in entry.alternative, entry.name


def test_metadata_is_info_and_contents_are_warnings() -> None:
    info = [
        "os.path.exists",
        "os.path.isfile",
        "os.stat",
        "pathlib.Path.exists",
        "pathlib.Path.is_file",
        "os.makedirs",
        "os.access",
        # One directory entry changed: as cheap as metadata on a local disk.
        "os.remove",
        "os.rename",
        "pathlib.Path.unlink",
    ]
    warning = [
        "builtins.open",
        "pathlib.Path.read_text",
        "pathlib.Path.iterdir",
        "os.listdir",
        "shutil.copy",
        "shutil.rmtree",
    ]
    for name in info:
        assert CATALOG.match(name).entry.severity == "info", name  # type: ignore[union-attr]
    for name in warning:
        assert CATALOG.match(name).entry.severity == "warning", name  # type: ignore[union-attr]


def test_redis_command_entries_require_a_sync_receiver() -> None:
    for entry in builtin_entries():
        if entry.name.startswith("redis.commands."):
            assert entry.receivers, entry.name
            assert not any(is_async_type(r) for r in entry.receivers), entry.name
