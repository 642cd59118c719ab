export const metadata = { title: 'Payouts (nextjs-auth0 + Portcullis)' };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 760, margin: '2rem auto' }}>{children}</body>
    </html>
  );
}
